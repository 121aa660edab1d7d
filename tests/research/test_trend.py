"""`trend` on the real letters: per-period counts against a direct count over decision dates."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine.trend import _every_period, period_of
from imrsearch.model import Letter
from imrsearch.vocab.categories import categorize

QUERIES = {
    "outcome:upheld OR outcome:overturned": lambda d: True,
    "class:opioid": lambda d: any(x.drug_class == "opioid" for x in d.drugs),
    'category:"diagnostic imaging"': lambda d: (
        categorize(d.service, d.drugs)[0] == "diagnostic imaging"
    ),
}


def key(letter: Letter) -> int:
    day = letter.decision_date
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def direct(real_letters: list[Letter], keep, by: str) -> tuple[Counter, Counter, int]:
    """(decisions, upheld) per period and the undated, straight from the parsed letters."""
    decisions: Counter[str] = Counter()
    upheld: Counter[str] = Counter()
    undated = 0
    for letter in real_letters:
        for d in letter.decisions:
            if not keep(d):
                continue
            period = period_of(key(letter), by)
            if period is None:
                undated += 1
                continue
            decisions[period] += 1
            upheld[period] += d.outcome == "upheld"
    return decisions, upheld, undated


@pytest.mark.parametrize("by", ["month", "quarter", "year"])
@pytest.mark.parametrize("query", list(QUERIES))
def test_periods_match_a_direct_count(real_index: Path, real_letters, query, by) -> None:
    with api.open_searcher(real_index) as searcher:
        found = searcher.trend(query, by=by)
        total = searcher.search(query, limit=0).total
    every = found.series[0]
    assert every.total + found.undated == found.total == total > 0
    decisions, upheld, undated = direct(real_letters, QUERIES[query], by)
    assert found.undated == undated
    assert {p.period: p.count for p in every.points if p.count} == dict(decisions)
    assert {p.period: p.upheld for p in every.points if p.upheld} == {
        k: v for k, v in upheld.items() if v
    }
    assert all(p.upheld + p.overturned <= p.count for p in every.points)


def test_a_facet_splits_the_series(real_index: Path, real_letters) -> None:
    with api.open_searcher(real_index) as searcher:
        found = searcher.trend("outcome:upheld OR outcome:overturned", "year", "category", 3)
    assert found.facet == "category"
    assert found.series[0].name == ""
    named = found.series[1:]
    assert len(named) == 3
    for series in named:
        keep = lambda d, name=series.name: categorize(d.service, d.drugs)[0] == name  # noqa: E731
        decisions, _, _ = direct(real_letters, keep, "year")
        assert {p.period: p.count for p in series.points if p.count} == dict(decisions)
    assert [s.total for s in named] == sorted((s.total for s in named), reverse=True)


def test_empty_periods_between_are_kept() -> None:
    assert _every_period({"2016-11", "2017-02"}, "month") == [
        "2016-11", "2016-12", "2017-01", "2017-02",
    ]  # fmt: skip
    assert _every_period({"2016-Q3", "2017-Q1"}, "quarter") == ["2016-Q3", "2016-Q4", "2017-Q1"]
    assert period_of(20170215, "quarter") == "2017-Q1"
    assert period_of(0, "month") is None


def test_cli_outputs(run, real_index: Path) -> None:
    done = run("trend", "class:opioid", "-i", str(real_index), "--by", "month", "--json")
    assert done.code == 0
    data = json.loads(done.out)
    assert data["total"] == data["undated"] + data["series"][0]["total"]
    done = run("trend", "class:opioid", "-i", str(real_index), "--csv", "--facet", "outcome")
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert {r["series"] for r in rows} == {"", "upheld", "overturned"}
    every = sum(int(r["decisions"]) for r in rows if r["series"] == "")
    assert every == data["series"][0]["total"]
    done = run("trend", "class:opioid", "-i", str(real_index))
    assert done.code == 0 and "every match by month" in done.out and "uphold rate" in done.out


def test_cli_refuses_what_it_cannot_count(run, real_index: Path) -> None:
    assert run("trend", "drug:nosuchdrug", "-i", str(real_index)).code == 1
    done = run("trend", "class:opioid", "-i", str(real_index), "--by", "week")
    assert done.code == 2 and "use month, quarter or year" in done.err
    done = run("trend", "class:opioid", "-i", str(real_index), "--facet", "colour")
    assert done.code == 2 and "unknown facet" in done.err
