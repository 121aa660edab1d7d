"""A range listed from its words' postings (`engine.filters`) finds exactly the documents
Whoosh's own listing finds, in an index with several segments and deleted documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.query.wrappers import ConstantScoreQuery

from imrsearch.engine import filters
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore

RANGES = [
    "age:>=50",
    "age:>60",
    "age:[40 TO 60]",
    "age:<30",
    "decided:>=2016-12-01",
    "decided:2016-12",
    "decided:[2016-01-01 TO 2016-06-30]",
    "injured:<2010-01-01",
    "year:2016",
    "year:2016 OR year:2017",
    "class:opioid age:>=50 decided:<2017-01-01",
    "NOT age:>=50",
    "age:>=200",
]


def _found(index: Path, text: str) -> list[tuple[str, int | None]]:
    with Searcher(IndexStore(index)) as searcher:
        return [(hit.path, hit.item) for hit in searcher.search(text, limit=None).hits]


@pytest.mark.parametrize("text", RANGES)
def test_a_range_finds_what_whooshs_listing_finds(
    changed_index: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _found(changed_index, text)
    monkeypatch.setattr(ConstantScoreQuery, "matcher", filters._whoosh_matcher)
    assert ours == _found(changed_index, text)


def test_the_index_has_segments_and_deletions(changed_index: Path) -> None:
    with Searcher(IndexStore(changed_index)) as searcher:
        reader = searcher.whoosh.reader()
        assert reader.has_deletions()
        assert len(list(reader.leaf_readers())) > 1
    assert _found(changed_index, "age:>=50")  # the ranges match something
