"""`similar` on the real letters: a benzodiazepine decision's nearest decisions are the other
benzodiazepine decisions, with a measured precision."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from imrsearch import api

TOP = 5


def test_benzodiazepine_decisions_rank_above_unrelated_items(real_index: Path) -> None:
    """Each of the 8 benzodiazepine decisions compared in turn: of the 5 nearest decisions,
    95% are benzodiazepine decisions (measured: 38 of 40). For a diazepam decision, the six
    other Valium or diazepam decisions come first, and Xanax by the eighth place (a sleep aid
    whose rationale also speaks of tolerance is seventh)."""
    with api.open_searcher(real_index) as searcher:
        benzos = {(h.path, h.item) for h in searcher.search("class:benzos", limit=None).hits}
        assert len(benzos) == 8
        relevant = 0
        for path, item in sorted(benzos, key=str):
            found = searcher.similar(path, item, TOP)
            assert (path, item) not in {(h.path, h.item) for h in found.result.hits}
            relevant += sum((h.path, h.item) in benzos for h in found.result.hits)
        precision = relevant / (TOP * len(benzos))
        assert precision >= 0.9
        valium = searcher.similar("CM16-0240524", 1, 10)
    ranked = [(h.path, h.item) in benzos for h in valium.result.hits]
    assert ranked[:6] == [True] * 6
    assert sum(ranked[:8]) == 7


def test_shared_terms_are_key_terms_the_hit_holds(real_index: Path) -> None:
    with api.open_searcher(real_index) as searcher:
        found = searcher.similar("CM16-0240524", limit=5)
        letters = {h.path: searcher.letter(h.path) for h in found.result.hits}
    keys = {(t.field, t.term) for t in found.terms}
    assert ("rationale", "benzodiazepines") in keys
    for hit, shared in zip(found.result.hits, found.shared, strict=True):
        assert shared and {(t.field, t.term) for t in shared} <= keys
        rationale = letters[hit.path].decisions[hit.item - 1].rationale.lower()
        assert all(t.term in rationale for t in shared if t.field == "rationale")


def test_cli_outputs_and_errors(run, real_index: Path) -> None:
    index = str(real_index)
    done = run("similar", "CM17-0013077", "--decision", "2", "-n", "3", "-i", index, "--json")
    assert done.code == 0
    data = json.loads(done.out)
    assert data["similar_to"] == "CM17-0013077, item 2" and len(data["hits"]) == 3
    assert all(h["shared_terms"] for h in data["hits"])
    done = run("similar", "CM17-0013077", "-d", "2", "-n", "3", "-i", index, "--csv")
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert [r["path"] for r in rows] == [h["path"] for h in data["hits"]]
    done = run("similar", "CM17-0013077", "-d", "2", "-n", "3", "-i", index)
    assert done.code == 0 and "key terms shared" in done.out and "benzodiazepines" in done.out
    assert "more with --limit N\n" in done.out and "--all" not in done.out  # it has no --all
    done = run("similar", "CM17-0013077", "-d", "9", "-i", index)
    assert done.code == 2 and "has 3 item(s), not 9" in done.err
    assert run("similar", "CM00-0000000", "-i", index).code == 2
