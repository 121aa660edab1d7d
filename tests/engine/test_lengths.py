"""A field's lengths, read once per segment (`engine.lengths`), are Whoosh's own, document by
document, for every field with lengths and past the end of each column."""

from __future__ import annotations

from pathlib import Path

from imrsearch.engine import lengths
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore


def test_every_length_is_whooshs(samples_index: Path) -> None:
    with Searcher(IndexStore(samples_index)) as searcher:
        reader = searcher.whoosh.reader()
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        checked = 0
        for leaf in leaves:
            per_doc = leaf._perdoc
            names = [n for n in leaf.schema.scorable_names() if leaf.field_length(n)]
            assert names  # the index has scored fields with lengths
            for name in [*names, "no_such_field"]:
                for docnum in range(leaf.doc_count_all() + 1):
                    got = per_doc.doc_field_length(docnum, name, 7)
                    want = lengths.whoosh_doc_field_length(per_doc, docnum, name, 7)
                    assert got == want, (name, docnum)
                    checked += 1
        assert checked > 500


def test_a_search_scores_as_with_whooshs_lengths(samples_index: Path, monkeypatch) -> None:
    def scores() -> list[tuple[str, float]]:
        with Searcher(IndexStore(samples_index)) as searcher:
            found = searcher.search('"medically necessary" tapering', limit=None)
        return [(hit.path, hit.score) for hit in found.hits]

    ours = scores()
    from whoosh.codec import whoosh3

    monkeypatch.setattr(whoosh3.W3PerDocReader, "doc_field_length", lengths.whoosh_doc_field_length)
    assert ours and ours == scores()
