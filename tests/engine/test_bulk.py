"""Reading a query's matches a block at a time (`engine.bulk`) gives exactly what Whoosh's
matchers give posting by posting: the same documents with the same scores, to the bit, on an
index with several segments and deleted documents, for every shape a query takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as wq

from imrsearch.engine import bulk
from imrsearch.engine.collect import needs_hit_filter
from imrsearch.engine.query import decision_filter
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore

QUERIES = [
    "medically",
    "outcome:overturned",
    "drug:valium",
    "drug:norco",  # names and phrases of names, ORed
    'specialty:"family practice"',  # Whoosh's phrase on a short field
    '"not medically necessary"',  # pairs checked at their places, and through letters
    '"not medically"',  # one pair: no places
    '"no documentation of"',
    '"medical treatment utilization schedule"',
    '"is medically necessary" outcome:overturned',  # AND: a phrase under a rarer word
    'outcome:upheld class:opioid "functional improvement"',
    'class:"topical analgesic" NOT "not medically necessary"',  # NOT of a phrase
    "(drug:valium OR drug:norco) NOT outcome:overturned",
    "NOT outcome:upheld",
    "summary:fusion",  # through the letters
    "class:opioid age:>=40 decided:>=2016-01-01",  # ranges as lists
    "modif*",
    "opiod~",
    '"functional improvement"~3',  # a phrase with slop: walked by Whoosh
    "taper! /s opioid",  # a connector: walked by Whoosh
    "medically^3 necessary",  # a boost
    '"red flag" /p imaging',
    "drug:nosuchdrug",
]


def _whoosh(searcher, q) -> dict[int, float]:
    """Every match and its score as Whoosh's matchers give them, posting by posting."""
    found = {}
    for sub, offset in searcher.leaf_searchers():
        matcher = q.matcher(sub, searcher.context())
        while matcher.is_active():
            found[matcher.id() + offset] = matcher.score()
            matcher.next()
    return found


@pytest.mark.parametrize("text", QUERIES)
def test_every_match_and_score_is_whooshs(changed_index: Path, text: str) -> None:
    with Searcher(IndexStore(changed_index)) as searcher:
        parsed = searcher.parse(text)
        q = wq.And([decision_filter(), parsed]) if needs_hit_filter(parsed) else parsed
        ours = bulk.search(searcher.whoosh, q, lambda: None)
        assert ours == _whoosh(searcher.whoosh, q)  # floats compared exactly


def test_the_queries_match_and_the_index_has_deletions(changed_index: Path) -> None:
    with Searcher(IndexStore(changed_index)) as searcher:
        reader = searcher.whoosh.reader()
        assert reader.has_deletions()
        assert len(list(reader.leaf_readers())) > 1
        empty = [t for t in QUERIES if not searcher.search(t, limit=0).total]
    assert empty == ["drug:nosuchdrug"]


def test_a_phrase_under_a_rarer_word_reads_only_its_blocks(changed_index: Path) -> None:
    """An AND leads with its smaller side: the phrase's words are read only in blocks that
    hold a candidate, and places are checked only for candidates."""
    with Searcher(IndexStore(changed_index)) as searcher:
        whoosh = searcher.whoosh
        case = searcher.search('"not medically necessary"', limit=1).hits[0].case_number
        q = searcher.parse(f'"not medically necessary" case:{case}')
        read: list[int] = []
        original = bulk._Segment._leaf

        def counting(self, matcher, within, values=None):
            found = original(self, matcher, within, values)
            read.append(len(found))
            return found

        bulk._Segment._leaf = counting  # type: ignore[method-assign]
        try:
            ours = bulk.search(whoosh, q, lambda: None)
        finally:
            bulk._Segment._leaf = original  # type: ignore[method-assign]
        assert ours == _whoosh(whoosh, q)
        assert ours  # that case's letter says it
        assert max(read) <= 2 * len(ours) + 2  # no word was listed beyond the candidates


def test_a_budget_check_runs_while_reading(changed_index: Path) -> None:
    """The search's time limit and cancel are checked between blocks."""
    with Searcher(IndexStore(changed_index)) as searcher:
        calls = []
        bulk.search(searcher.whoosh, searcher.parse("medically"), lambda: calls.append(1))
        assert calls
