"""What Whoosh decides segment by segment, decided for the whole index.

A sharded index (`shards`), and an unsharded one written by several processes, is read as
several segments under one reader. Whoosh scores with the whole index's statistics, but makes
some choices from the segment it is searching, so the same document could score a little
differently, or read the wrong column value, depending on which segment holds it:

- a column over segments left out a segment without that column's file;
- a wildcard that reaches one word in a segment scored as that word, not at a constant score;
- the shape of a tree of OR and AND matchers (so the order in which scores are added, and the
  last bits of a sum) followed the segment's term counts, and an OR chose its matcher by the
  segment's size.

Each is patched here to decide from the whole index (the top searcher's reader), which for an
index of one segment is what Whoosh did. What that costs is paid once per search, not once per
segment: the size estimates that shape the trees, and the words a wildcard, fuzzy term or range
reaches, are kept on the query for the reader they were made for, and a fuzzy term's words are
found segment by segment rather than through the merged word lists of all of them.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from whoosh import columns, matching
from whoosh.query import MultiTerm, NumericRange, Or, Phrase, Term
from whoosh.query.compound import CompoundQuery, DefaultOr, PreloadedOr
from whoosh.reading import MultiReader
from whoosh.searching import SearchContext


def _column_reader(
    self: MultiReader,
    fieldname: str,
    column: Any = None,
    reverse: bool = False,
    translate: bool = True,
) -> columns.MultiColumnReader:
    """A column over every segment. Whoosh's own leaves out a segment that has no file for the
    column (no document of it has a value: the undated shard has no year), which shifts every
    later segment's documents onto the wrong values; a segment reader gives such a segment
    the column's default value, as for one segment alone."""
    readers = [r.column_reader(fieldname, column, reverse, translate) for r in self.readers]
    return columns.MultiColumnReader(readers, list(self.doc_offsets))


def _multiterm_matcher(self: MultiTerm, searcher: Any, context: Any = None) -> Any:
    """Whoosh's matcher of a wildcard or fuzzy term, its words taken from the whole index, not
    from the segment being searched: Whoosh scores a wildcard that reaches one word as that
    word and one that reaches several at a constant score, so a segment that held one of the
    words scored its documents apart from the rest."""
    words = [word for word in _expanded(self, searcher.get_parent().reader()) if word]
    if not words:
        return matching.NullMatcher()
    if len(words) == 1:
        return Term(self.field(), words[0]).matcher(searcher, context)
    if self.constantscore:
        context = (context or SearchContext()).set(weighting=None)
    terms = [Term(self.field(), word) for word in words]
    return Or(terms, boost=self.boost).matcher(searcher, context)


def _kept(q: Any, reader: Any, name: str, make: Any) -> Any:
    """`make()`, kept on the query `q` under `name` for the reader it was made for and the
    query's hash (its field, words and options: a copy of the query that was changed gets
    its own)."""
    held = getattr(q, name, None)
    if held is None or held[0]() is not reader or held[1] != hash(q):
        held = (weakref.ref(reader), hash(q), make())
        setattr(q, name, held)
    return held[2]


def _expanded(self: MultiTerm, reader: Any) -> list[bytes]:
    """The words a wildcard or fuzzy term reaches in `reader`, found once per search: each
    segment's matcher and every weighing of a tree asks again, and over many segments each
    walk of the term lists cost a tenth of a second at 10,000 letters."""
    words: list[bytes] = _kept(self, reader, "_whole_words", lambda: list(self._btexts(reader)))
    return words


def _terms_within(
    self: MultiReader, fieldname: str, text: str, maxdist: int, prefix: int = 0
) -> list[str]:
    """The words within `maxdist` edits of `text` (a fuzzy term's). Whoosh walks the whole
    index's merged word lists, every step a merge of every segment's; for one edit, finding
    them in each segment and joining them is three times faster over 20 segments (40 vs 120
    ms at 100,000 letters), for two it is twice as slow (the walk of each segment costs more
    than the merging saves), so two edits keep Whoosh's walk. Same words, same order."""
    if maxdist > 1:
        return list(_whoosh_terms_within(self, fieldname, text, maxdist, prefix))
    found: set[str] = set()
    for reader in self.readers:
        found.update(reader.terms_within(fieldname, text, maxdist, prefix))
    return sorted(found)


def _once_per_search(estimate: Any) -> Any:
    """Whoosh's `estimate`, kept on the query for the reader it was made for (`_kept`): each
    segment's tree weighs every clause again, and over a reader of many segments each
    estimate adds up every segment (20 segments: 18,000 lookups for a three-clause query at
    100,000 letters, half its time)."""

    def estimate_size(self: Any, reader: Any) -> int:
        return int(_kept(self, reader, "_whole_size", lambda: estimate(self, reader)))

    return estimate_size


def _estimate_size(self: MultiTerm, reader: Any) -> int:
    """Whoosh's estimate (the documents of every word reached), from the words found once."""
    field = self.field()
    return sum(reader.doc_frequency(field, word) for word in _expanded(self, reader))


def _tree_matcher(
    self: CompoundQuery,
    subs: list[Any],
    mcls: Any,
    searcher: Any,
    context: Any,
    q_weight_fn: Any,
    **kwargs: Any,
) -> Any:
    """Whoosh's tree of sub-matchers, weighted by the whole index's sizes (an AND puts the
    rarest first, as Whoosh's own weight does, negated)."""
    if q_weight_fn is not None:
        reader = searcher.get_parent().reader()
        sign = -1 if mcls is matching.IntersectionMatcher else 1

        def q_weight_fn(q: Any) -> int:
            return sign * q.estimate_size(reader)

    return _whoosh_tree_matcher(self, subs, mcls, searcher, context, q_weight_fn, **kwargs)


def _or_matcher(self: Or, subs: list[Any], searcher: Any, context: Any) -> Any:
    """Whoosh's choice of OR matcher (a tree, or every match loaded at once), by the whole
    index's size: the two add scores in different orders."""
    if self.matcher_type != self.AUTO_MATCHER:
        return _whoosh_or_matcher(self, subs, searcher, context)
    needs_current = context.needs_current if context else True
    large = searcher.get_parent().doc_count_all() > 5000
    tree = needs_current or self.scale or len(subs) == 2 or large
    cls = DefaultOr if len(subs) < self.TOO_MANY_CLAUSES and tree else PreloadedOr
    return cls(subs, boost=self.boost, minmatch=self.minmatch, scale=self.scale).matcher(
        searcher, context
    )


_whoosh_tree_matcher = CompoundQuery._tree_matcher
_whoosh_terms_within = MultiReader.terms_within
_whoosh_or_matcher = Or._matcher
MultiReader.column_reader = _column_reader
MultiReader.terms_within = _terms_within
MultiTerm.matcher = _multiterm_matcher
MultiTerm.estimate_size = _once_per_search(_estimate_size)
Term.estimate_size = _once_per_search(Term.estimate_size)
Phrase.estimate_size = _once_per_search(Phrase.estimate_size)
NumericRange.estimate_size = _once_per_search(NumericRange.estimate_size)  # and dates
CompoundQuery._tree_matcher = _tree_matcher
Or._matcher = _or_matcher


def by_segment(reader: Any, docnums: Iterable[int]) -> list[tuple[Any, int, list[int]]]:
    """`docnums` (numbers in the whole index) split by segment: each segment's reader, the
    number of its first document, and those of `docnums` it holds, as numbers within it."""
    leaves = list(reader.leaf_readers())
    starts = [start for _, start in leaves]
    held: list[list[int]] = [[] for _ in leaves]
    for docnum in docnums:
        at = bisect_right(starts, docnum) - 1
        held[at].append(docnum - starts[at])
    return [(leaf, start, local) for (leaf, start), local in zip(leaves, held, strict=True)]
