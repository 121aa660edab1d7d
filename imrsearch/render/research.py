"""Views of the research tools' results (trend, phrases): rich tables with bars for people, JSON
and CSV for scripts. Every string that came from a letter goes through the terminal sanitiser
or into a rich `Text`, never into markup."""

from __future__ import annotations

import csv
from typing import IO, Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from imrsearch.model import (
    OVERTURNED,
    UPHELD,
    Phrase,
    PhraseReport,
    SharedTerm,
    Similar,
    Trend,
    TrendSeries,
)
from imrsearch.render.console import OUTCOME_STYLE, outcome_text, print_results
from imrsearch.render.machine import csv_cell, dumps, hit_dict
from imrsearch.render.terminal import for_terminal

BAR = "█"
TABLE_WIDTH = 62  # the trend table's columns before its bar


def _bar(upheld: int, overturned: int, other: int, widest: int, width: int) -> Text:
    """A period's decisions as a bar of at most `width` cells, scaled to the widest period:
    upheld, then overturned, then decisions whose outcome the letter does not say."""
    scale = width / widest if widest else 0.0
    parts = [
        (upheld, OUTCOME_STYLE[UPHELD]),
        (overturned, OUTCOME_STYLE[OVERTURNED]),
        (other, "dim"),
    ]
    text = Text()
    for count, style in parts:
        if count:
            text.append(BAR * max(1, round(count * scale)), style=style)
    return text


def print_trend(console: Console, trend: Trend) -> None:
    console.print(trend_view(trend, console.width))


def trend_view(trend: Trend, columns: int) -> Group:
    """Every series of `trend` as a table with bars fitted to `columns`, and a note."""
    widest = max((p.count for s in trend.series for p in s.points), default=0)
    width = max(10, min(60, columns - TABLE_WIDTH))
    parts: list[RenderableType] = [
        _series_table(trend, series, widest, width) for series in trend.series
    ]
    dated = trend.total - trend.undated
    note = f"{trend.total:,} matching decision{'' if trend.total == 1 else 's'}"
    if trend.undated:
        note += f", {trend.undated:,} without a decision date (in no {trend.by})"
    parts.append(Text(note + f"; {dated:,} by {trend.by}. ", style="dim") + _legend())
    return Group(*parts)


def _legend() -> Text:
    return Text.assemble(
        (BAR, OUTCOME_STYLE[UPHELD]), " upheld  ", (BAR, OUTCOME_STYLE[OVERTURNED]), " overturned"
    )


def _series_table(trend: Trend, series: TrendSeries, widest: int, width: int) -> Table:
    title = (
        f"{trend.facet} = {for_terminal(series.name, single_line=True)}"
        if series.name
        else "every match"
    )
    table = Table(title=Text(f"{title} by {trend.by}"), title_justify="left", show_edge=False)
    for name, justify in (
        (trend.by, "left"),
        ("decisions", "right"),
        ("upheld", "right"),
        ("overturned", "right"),
        ("uphold rate", "right"),
        ("", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for point in series.points:
        other = point.count - point.upheld - point.overturned
        table.add_row(
            point.period,
            f"{point.count:,}",
            f"{point.upheld:,}",
            f"{point.overturned:,}",
            f"{point.uphold_rate:.0%}" if point.count else "",
            _bar(point.upheld, point.overturned, other, widest, width),
        )
    return table


def trend_dict(trend: Trend) -> dict[str, Any]:
    return {
        "query": trend.query,
        "by": trend.by,
        "facet": trend.facet or None,
        "total": trend.total,
        "undated": trend.undated,
        "series": [
            {
                "name": s.name or None,
                "total": s.total,
                "periods": [
                    {
                        "period": p.period,
                        "decisions": p.count,
                        "upheld": p.upheld,
                        "overturned": p.overturned,
                        "uphold_rate": round(p.uphold_rate, 4),
                    }
                    for p in s.points
                ],
            }
            for s in trend.series
        ],
        "elapsed_ms": round(trend.elapsed * 1000, 2),
    }


def write_trend_json(trend: Trend, out: IO[str]) -> None:
    out.write(dumps(trend_dict(trend)) + "\n")


TREND_COLUMNS = ("series", "period", "decisions", "upheld", "overturned", "uphold_rate")


def write_trend_csv(trend: Trend, out: IO[str], *, terminal: bool = False) -> None:
    """One row per series and period; the first series (every match) has an empty name."""
    writer = csv.writer(out)
    writer.writerow(TREND_COLUMNS)
    for s in trend.series:
        for p in s.points:
            row = (s.name, p.period, p.count, p.upheld, p.overturned, f"{p.uphold_rate:.4f}")
            writer.writerow([csv_cell(v, terminal=terminal) for v in row])


def _terms(terms: list[SharedTerm]) -> str:
    return ", ".join(dict.fromkeys(t.term for t in terms))


def print_similar(console: Console, found: Similar) -> None:
    """The key terms of the decision compared, the hits as `query` shows them, then which key
    terms each hit shares."""
    console.print(
        Text("decisions most like ", style="bold")
        + Text(for_terminal(found.source, single_line=True), style="bold cyan")
    )
    console.print(Text("key terms: " + for_terminal(_terms(found.terms)), style="dim"))
    console.print()
    print_results(console, found.result, more="more with --limit N")  # similar has no --all
    console.print(shared_table(found))


def shared_table(found: Similar) -> Table:
    """Each similar decision with its outcome, item and the key terms it shares."""
    table = Table(title="key terms shared", title_justify="left", show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("decision")
    table.add_column("outcome")
    table.add_column("item")
    table.add_column("shared key terms")
    for rank, (hit, shared) in enumerate(zip(found.result.hits, found.shared, strict=True), 1):
        table.add_row(
            str(rank),
            Text(for_terminal(f"{hit.label}, {hit.where}", single_line=True)),
            outcome_text(hit.outcome),
            Text(for_terminal(hit.service, single_line=True)),
            Text(for_terminal(_terms(shared))),
        )
    return table


def write_similar_json(found: Similar, out: IO[str]) -> None:
    """The JSON of `query` (hits in order of likeness), with the decision compared, its key
    terms, and the key terms each hit shares."""
    hits = []
    for hit, shared in zip(found.result.hits, found.shared, strict=True):
        data = hit_dict(hit)
        data["shared_terms"] = [{"field": t.field, "term": t.term} for t in shared]
        hits.append(data)
    data = {
        "query": found.result.query,
        "similar_to": found.source,
        "key_terms": [{"field": t.field, "term": t.term} for t in found.terms],
        "total": found.result.total,
        "whole_letters": 0,
        "hits": hits,
        "facets": {},
        "elapsed_ms": round(found.result.elapsed * 1000, 2),
    }
    out.write(dumps(data) + "\n")


def _phrase_table(title: str, listed: list[Phrase], versus: str) -> Table:
    table = Table(title=Text(title), title_justify="left", show_edge=False, show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("passage · a decision citing it · the query", ratio=1, min_width=28)
    for name in ("decisions", "up/over", "rate", "elsewhere", versus):
        table.add_column(name, justify="right", no_wrap=True)
    for rank, p in enumerate(listed, 1):
        cell = Text(for_terminal(f"“{p.text}”"), style="bold")
        cell.append("\n" + for_terminal(f"e.g. {p.example}"), style="dim")
        cell.append("\n" + for_terminal(p.query, single_line=True), style="cyan")
        table.add_row(
            str(rank),
            cell,
            f"{p.decisions:,}",
            f"{p.upheld:,}/{p.overturned:,}",
            f"{p.uphold_rate:.0%}",
            f"≈{p.elsewhere:.1%}",
            f"{p.score:.1f}",
        )
    return table


def print_phrases(console: Console, report: PhraseReport) -> None:
    if report.by_outcome:
        for side, listed in report.by_outcome.items():
            other = OVERTURNED if side == UPHELD else UPHELD
            title = f"passages that mark {side} decisions (against {other}, within the matches)"
            console.print(_phrase_table(title, listed, "G²"))
    else:
        title = "recurring passages, most distinctive against the whole index (G²) first"
        console.print(_phrase_table(title, report.phrases, "G²"))
    found_in = "" if report.sampled >= report.total else f" (found in {report.sampled:,} of them)"
    console.print(
        Text(
            f"{report.total:,} matching decisions{found_in}; counted in {report.elapsed:.2f} s;"
            " elsewhere: the share of the other decisions, estimated from a sample",
            style="dim",
        )
    )


def phrase_dict(p: Phrase) -> dict[str, Any]:
    return {
        "passage": p.text,
        "decisions": p.decisions,
        "upheld": p.upheld,
        "overturned": p.overturned,
        "uphold_rate": round(p.uphold_rate, 4),
        "elsewhere_estimate": round(p.elsewhere, 4),
        "score": round(p.score, 3),
        "example": p.example,
        "query": p.query,
    }


def write_phrases_json(report: PhraseReport, out: IO[str]) -> None:
    data: dict[str, Any] = {"query": report.query, "total": report.total}
    data["sampled"] = report.sampled
    if report.by_outcome:
        data["by_outcome"] = {k: [phrase_dict(p) for p in v] for k, v in report.by_outcome.items()}
    else:
        data["phrases"] = [phrase_dict(p) for p in report.phrases]
    data["elapsed_ms"] = round(report.elapsed * 1000, 2)
    out.write(dumps(data) + "\n")


PHRASE_COLUMNS = (
    "side",
    "passage",
    "decisions",
    "upheld",
    "overturned",
    "uphold_rate",
    "elsewhere_estimate",
    "score",
    "example",
    "query",
)


def write_phrases_csv(
    report: PhraseReport, out: IO[str], *, formulas: bool = False, terminal: bool = False
) -> None:
    """One row per passage; `side` is upheld or overturned with --by outcome, else empty."""
    writer = csv.writer(out)
    writer.writerow(PHRASE_COLUMNS)
    groups = report.by_outcome.items() if report.by_outcome else [("", report.phrases)]
    for side, listed in groups:
        for p in listed:
            row = [side, *phrase_dict(p).values()]
            writer.writerow([csv_cell(v, formulas=formulas, terminal=terminal) for v in row])
