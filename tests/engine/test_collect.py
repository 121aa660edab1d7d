"""Totals, top hits and facets answer as the plain way does, on an index of the real letters.

The plain way is what a search did before it saved work: every match scored and sorted, with
the filter to returnable documents always on, and facets read document by document from the
columns. A search now leaves the filter out where the query cannot reach a letter document,
reads matches and scores a block at a time (`engine.bulk`), and counts facets from arrays of
the columns' value references; each must give the same answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query as wq

from imrsearch import api
from imrsearch.engine.collect import _LETTER_FIELDS, needs_hit_filter
from imrsearch.engine.documents import letter_documents
from imrsearch.engine.query import decision_filter
from imrsearch.engine.schema import FACET_SEP
from imrsearch.engine.search import FACET_NAMES, Searcher
from imrsearch.engine.store import IndexStore

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "dwc-2016-17"
QUERIES = [
    "medically",
    "opioid",
    "outcome:upheld",
    "outcome:overturned",
    "drug:valium",
    "class:opioid age:>=50",
    "decided:2017-01",
    "year:2016 OR year:2017",
    "(drug:norco OR drug:valium) NOT outcome:overturned",
    "NOT outcome:upheld",
    "-opioid",
    "format:d",
    '"not medically necessary"',
    '"is medically necessary" outcome:overturned',
    '"no provision"',
    'rationale:"functional improvement" class:opioid',
    "summary:fusion",
    "taper! /s opioid",
    '"red flag" /p imaging',
    "modif*",
    "opiod~",
    "physical therapy",
    'specialty:"occupational medicine" guideline:acoem',
    "medically^3 necessary",
]


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus-index")
    api.build(CORPUS, path, workers=1)
    return path


@pytest.fixture
def searcher(corpus_index: Path) -> Iterator[Searcher]:
    with Searcher(IndexStore(corpus_index)) as opened:
        yield opened


def _plain(searcher: Searcher, text: str):
    """Every match scored and sorted, through the filter."""
    q = wq.And([decision_filter(), searcher.parse(text)])
    return searcher._searcher.search(q, limit=None)


def _key(hit) -> tuple:
    return (hit.path, hit.item, round(hit.score, 9))


@pytest.mark.parametrize("text", QUERIES)
def test_totals_and_top_hits_are_the_plain_search(searcher: Searcher, text: str) -> None:
    plain = _plain(searcher, text)
    assert plain, text  # every query finds something, so order can differ
    every = [_key(h) for h in searcher.search(text, limit=None).hits]
    assert every == [(h["path"], h.get("number"), round(h.score, 9)) for h in plain]
    for limit in (1, 3, 20):
        found = searcher.search(text, limit=limit)
        assert found.total == len(plain)
        assert [_key(h) for h in found.hits] == every[:limit]


@pytest.mark.parametrize("text", QUERIES)
def test_date_order_is_the_plain_search(searcher: Searcher, text: str) -> None:
    found = searcher.search(text, limit=None, sort="date")
    plain = _plain(searcher, text)
    assert found.total == len(plain)
    days = [h.decision_date for h in found.hits]
    assert days == sorted(days, key=lambda d: d.toordinal() if d else 0, reverse=True)
    assert {(h.path, h.item) for h in found.hits} == {(h["path"], h.get("number")) for h in plain}


def _facets_by_document(searcher: Searcher, text: str) -> dict[str, list[tuple]]:
    reader = searcher._searcher.reader()
    docs = sorted(_plain(searcher, text).docs())
    outcome = reader.column_reader("facet_outcome")
    found = {}
    for name in FACET_NAMES:
        column = reader.column_reader(f"facet_{name}")
        counts: Counter[str] = Counter()
        upheld: Counter[str] = Counter()
        for doc in docs:
            for value in set(filter(None, column[doc].decode().split(FACET_SEP))):
                counts[value] += 1
                upheld[value] += outcome[doc] == b"upheld"
        found[name] = sorted((v, c, upheld[v]) for v, c in counts.items())
    return found


def test_facets_are_the_count_document_by_document(corpus_index: Path) -> None:
    """Counts from the columns' reference arrays, read on a searcher's first count and kept
    for later ones, are the counts read document by document, on every facet and query."""
    with Searcher(IndexStore(corpus_index)) as searcher:
        for first_or_later in range(2):
            for text in QUERIES[first_or_later:]:
                result = searcher.search(text, facets=FACET_NAMES, facet_limit=10_000)
                found = {
                    f.name: sorted((v.value, v.count, v.upheld) for v in f.values)
                    for f in result.facets
                }
                assert found == _facets_by_document(searcher, text), text
        assert searcher._facet_counter._columns  # the arrays are kept for later counts


@pytest.mark.parametrize(
    ("text", "filtered"),
    [
        ("medically", False),
        ("drug:valium outcome:upheld", False),
        ('"not medically necessary"', False),
        ("summary:fusion", False),  # a letter clause returns decisions
        ("taper! /s opioid", False),
        ("year:2016 OR medically", False),
        ("opioid NOT outcome:upheld", False),  # the AND's first side decides
        ("NOT outcome:upheld", True),
        ("-opioid", True),
        ("format:d", True),
        ("case:CM16-0213037", True),
        ("format:d OR medically", True),
    ],
)
def test_the_filter_is_added_where_a_letter_document_could_match(
    searcher: Searcher, text: str, filtered: bool
) -> None:
    assert needs_hit_filter(searcher.parse(text)) is filtered


def test_the_letter_fields_the_filter_knows_are_those_a_letter_document_has(
    parsed_samples,
) -> None:
    """A field added to letter documents must be named there, or the filter would be left
    out of queries that can match them."""
    letter = next(letter for letter in parsed_samples if letter.decisions)
    indexed = {name for name in letter_documents(letter)[0] if name != "record"}  # stored only
    assert indexed <= _LETTER_FIELDS
