"""`imrsearch trend`: a query's matching decisions per month, quarter or year, with outcomes.

Counts come from the columns the index already keeps per document (the decision date as
YYYYMMDD, the outcome and the facets), so a trend over 20,000 matches reads no stored field.
"""

from __future__ import annotations

import time
from collections import Counter

from imrsearch.engine.registry import FACETS
from imrsearch.engine.schema import FACET_SEP
from imrsearch.engine.search import Searcher
from imrsearch.errors import ImrError
from imrsearch.model import OVERTURNED, UPHELD, Trend, TrendPoint, TrendSeries

PERIODS = ("month", "quarter", "year")


def period_of(key: int, by: str) -> str | None:
    """The period of a YYYYMMDD date key (0: undated): 2016-12, 2016-Q4 or 2016."""
    if not key:
        return None
    year, month = key // 10000, key // 100 % 100
    if by == "month":
        return f"{year:04d}-{month:02d}"
    if by == "quarter":
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{year:04d}"


def _following(period: str, by: str) -> str:
    if by == "year":
        return f"{int(period) + 1:04d}"
    year, part = period.split("-")
    last = 4 if by == "quarter" else 12
    number = int(part.lstrip("Q")) + 1
    if number > last:
        year, number = f"{int(year) + 1:04d}", 1
    return f"{year}-Q{number}" if by == "quarter" else f"{year}-{number:02d}"


def _every_period(found: set[str], by: str) -> list[str]:
    """Every period from the first to the last found, empty ones included: a chart's gaps."""
    if not found:
        return []
    periods = [min(found)]
    while periods[-1] < max(found):
        periods.append(_following(periods[-1], by))
    return periods


def trend(
    searcher: Searcher, text: str, by: str = "month", facet: str = "", facet_limit: int = 5
) -> Trend:
    """Matches of `text` per period; with `facet`, also one series per most frequent value."""
    if by not in PERIODS:
        raise ImrError(f"unknown period '{by}'", hint="use month, quarter or year")
    if facet and facet not in FACETS:
        raise ImrError(f"unknown facet '{facet}'", hint="facets: " + ", ".join(FACETS))
    started = time.perf_counter()
    docnums = list(searcher.matches(text).docs())
    reader = searcher.whoosh.reader()
    dates = reader.column_reader("decided_key")
    outcomes = reader.column_reader("facet_outcome")
    values = reader.column_reader(f"facet_{facet}") if facet else None
    counts: dict[str, Counter[tuple[str, str]]] = {}  # series → (period, outcome) → decisions
    undated = 0
    for docnum in docnums:
        period = period_of(dates[docnum], by)
        if period is None:
            undated += 1
            continue
        outcome = outcomes[docnum].decode()
        names = [""]
        if values is not None:
            raw = values[docnum]
            names += raw.decode().split(FACET_SEP) if raw else []
        for name in names:
            counts.setdefault(name, Counter())[(period, outcome)] += 1
    periods = _every_period({p for c in counts.values() for p, _ in c}, by)
    every = _series("", counts.get("", Counter()), periods)
    ranked = sorted(
        (name for name in counts if name),
        key=lambda n: (-sum(counts[n].values()), n),
    )
    series = [every] + [_series(n, counts[n], periods) for n in ranked[:facet_limit]]
    return Trend(text, by, len(docnums), undated, series, facet, time.perf_counter() - started)


def _series(name: str, counts: Counter[tuple[str, str]], periods: list[str]) -> TrendSeries:
    points = []
    for period in periods:
        upheld, overturned = counts[(period, UPHELD)], counts[(period, OVERTURNED)]
        total = sum(n for (p, _), n in counts.items() if p == period)
        points.append(TrendPoint(period, total, upheld, overturned))
    return TrendSeries(name, points)
