"""What a search costs per segment stays per segment: a clause's size is estimated once per
search however many segments weigh it, and a segment's key column is opened once while the
index is open (both were read again for every segment, every search: with 20 segments a
design-card query took twice as long)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from whoosh.reading import IndexReader, MultiReader, SegmentReader

from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore
from imrsearch.engine.ties import KEY

QUERY = 'outcome:upheld class:opioid "not medically necessary"'


def test_each_word_is_estimated_once_per_search(
    changed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across the whole index (a sum over its segments), each word at most once."""
    with Searcher(IndexStore(changed_index)) as searcher:
        assert len(searcher._sizes) >= 2
        looked_up: Counter[tuple[str, object]] = Counter()
        doc_frequency = MultiReader.doc_frequency

        def counted(self: MultiReader, field: str, text: object) -> int:
            looked_up[field, text] += 1
            return doc_frequency(self, field, text)

        monkeypatch.setattr(MultiReader, "doc_frequency", counted)
        found = searcher.search(QUERY, limit=None)
        assert found.total > 0
        assert looked_up and max(looked_up.values()) == 1, looked_up


def test_a_segment_key_column_is_opened_once(
    changed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    column_reader = SegmentReader.column_reader

    def counted(self: SegmentReader, name: str, *args: object, **kwargs: object) -> object:
        opened.append(name)
        return column_reader(self, name, *args, **kwargs)

    monkeypatch.setattr(SegmentReader, "column_reader", counted)
    with Searcher(IndexStore(changed_index)) as searcher:
        first = searcher.search("medically", limit=5)
        keys_first = opened.count(KEY)
        again = searcher.search("medically", limit=5)
        assert [h.path for h in again.hits] == [h.path for h in first.hits]
        assert 1 <= keys_first <= len(searcher._sizes)
        assert opened.count(KEY) == keys_first  # not again for the second search


@pytest.mark.parametrize(
    ("field", "word", "edits", "prefix"),
    [("rationale", "opiod", 1, 0), ("rationale", "necesary", 2, 0), ("service", "lumbr", 1, 1)],
)
def test_a_fuzzy_term_reaches_the_words_whoosh_finds(
    changed_index: Path, field: str, word: str, edits: int, prefix: int
) -> None:
    """Found segment by segment and joined (one edit) or by Whoosh (two): the same words, in
    the same order."""
    with Searcher(IndexStore(changed_index)) as searcher:
        reader = searcher.whoosh.reader()
        assert isinstance(reader, MultiReader)
        ours = list(reader.terms_within(field, word, edits, prefix))
        assert ours == list(IndexReader.terms_within(reader, field, word, edits, prefix))
        assert ours  # each finds something
