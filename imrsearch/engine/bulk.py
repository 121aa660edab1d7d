"""Every match of a query and its score, read from the matcher tree a block at a time.

Totals are exact, so a search visits every match. Whoosh does that one posting at a time in
Python, each step a call through every matcher of the tree: at 100,000 letters a two-word
phrase with 164,000 matches spent most of its 800 ms moving an OR of five fields along. Here
the tree Whoosh built for the query is read bottom-up instead: each word's postings whole
blocks at a time (ids, weights, and BM25's field lengths), then AND, OR and NOT as operations
on dictionaries of document → score. Scores are added pair by pair as Whoosh's matchers add
them (addition of two floats does not depend on their order; the tree fixes the grouping),
so every match and every score is Whoosh's to the bit.

An AND reads its smaller side first and the other only where that side matched: a word's
blocks that hold none of those documents are skipped unread, a phrase checks places only
there. A phrase of adjacent words or pairs checks each candidate's places as `pairs.Pieces`
and Whoosh's `SpanNear2` do. A part of the tree of any other kind (a span with slop, a
wrapper this module does not know) is walked by Whoosh itself, over the candidates only where
there are some.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh import formats, matching, scoring
from whoosh.codec import whoosh3
from whoosh.matching import binary, wrappers
from whoosh.query import spans
from whoosh.util.numeric import byte_to_length

from imrsearch.engine import lengths
from imrsearch.engine.pairs import OnePiece, Pieces

Scores = dict[int, float]  # document number in the segment → score
_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]
_NULL = type(matching.NullMatcher)
_LEAF = whoosh3.W3LeafMatcher
_PHRASE = spans.SpanNear2.SpanNear2Matcher
_SCORES_ARE_WEIGHTS = (type(None), scoring.WeightScorer)


def search(
    searcher: Any,
    q: Any,
    check: Callable[[], None],
    scored: bool = True,
    segments: Collection[int] | None = None,
) -> Scores:
    """Every document `q` matches in `searcher` (global numbers), with Whoosh's score (or
    its weight, unscored: for a list of documents); in the `segments` at these positions of
    its leaves only, if given (a share of a search run in several processes)."""
    context = searcher.context() if scored else searcher.boolean_context()
    found: Scores = {}
    for position, (sub, offset) in enumerate(searcher.leaf_searchers()):
        if segments is not None and position not in segments:
            continue
        part = _Segment(sub.reader(), check).scores(q.matcher(sub, context))
        found.update(((d + offset, s) for d, s in part.items()) if offset else part)
    return found


class _Segment:
    """The matchers of one segment; `check` is called between blocks and walked postings."""

    def __init__(self, reader: Any, check: Callable[[], None]) -> None:
        self.reader = reader
        self.perdoc = getattr(reader, "_perdoc", None)
        self.check = check
        self.read: dict[int, Scores] = {}  # leaves read ahead for their places, by id()

    def scores(self, matcher: Any, within: Scores | None = None) -> Scores:
        """The documents `matcher` matches (only those of `within` if given), with the
        scores Whoosh's matcher gives them."""
        kind = type(matcher)
        if kind is _NULL:
            return {}
        if kind is binary.UnionMatcher:
            return _union(self.scores(matcher.a, within), self.scores(matcher.b, within))
        if kind is binary.IntersectionMatcher:
            return self._intersection(matcher.a, matcher.b, within)
        if kind is binary.AndNotMatcher:
            found = self.scores(matcher.a, within)
            if found:
                for docnum in self.scores(matcher.b, found):
                    del found[docnum]
            return found
        if kind is _LEAF:
            ahead = self.read.pop(id(matcher), None)
            return ahead if ahead is not None else self._leaf(matcher, within)
        if kind is OnePiece:
            return {d: s * matcher.boost for d, s in self.scores(matcher.child, within).items()}
        if kind is wrappers.FilterMatcher:
            ids, exclude, boost = matcher._ids, matcher._exclude, matcher.boost
            found = self.scores(matcher.child, within)
            return {d: s * boost for d, s in found.items() if (d in ids) != exclude}
        if kind is matching.ListMatcher and matcher._scorer is None:
            return _listed(matcher, within)
        if kind is wrappers.InverseMatcher:
            return self._inverse(matcher, within)
        if _placed(matcher):
            return self._placed(matcher, within)
        return self._walked(matcher, within)

    def _intersection(self, a: Any, b: Any, within: Scores | None) -> Scores:
        """The smaller side first, the other only over its documents; scores a + b."""
        if self._size(b) < self._size(a):
            right = self.scores(b, within)
            left = self.scores(a, right) if right else {}
        else:
            left = self.scores(a, within)
            right = self.scores(b, left) if left else {}
        return {d: s + right[d] for d, s in left.items() if d in right}

    def _inverse(self, matcher: Any, within: Scores | None) -> Scores:
        """NOT: from where the matcher stands to the segment's end, the documents neither
        deleted (`missing`) nor matched by the child, each with the matcher's weight."""
        start, end, missing, weight = matcher._id, matcher.limit, matcher.missing, matcher._weight
        if within is None:
            candidates: Iterable[int] = range(start, end)
        else:
            candidates = sorted(d for d in within if start <= d < end)
        excluded = self.scores(matcher.child, within)
        return {d: weight for d in candidates if d not in excluded and not missing(d)}

    def _size(self, matcher: Any) -> int:
        """About how many documents `matcher` matches, to choose which side leads an AND."""
        kind = type(matcher)
        if kind is _NULL:
            return 0
        if kind is _LEAF:
            return self.reader.doc_frequency(*matcher._term) if matcher._term else 1 << 62
        if kind is binary.UnionMatcher:
            return self._size(matcher.a) + self._size(matcher.b)
        if kind is binary.IntersectionMatcher:
            return min(self._size(matcher.a), self._size(matcher.b))
        if kind is binary.AndNotMatcher:
            return self._size(matcher.a)
        if kind in (OnePiece, wrappers.FilterMatcher):
            return self._size(matcher.child)
        if kind is matching.ListMatcher:
            return len(matcher._ids) - matcher._i
        if kind is wrappers.InverseMatcher:
            return matcher.limit - matcher._id
        if _placed(matcher):
            return min(self._size(piece) for piece in _pieces(matcher)[0])
        return 1 << 62  # walked posting by posting: never the side that leads

    def _placed(self, matcher: Any, within: Scores | None) -> Scores:
        """A phrase: the documents of the intersection of its words (or pairs) where they
        stand at their offsets, read as `Pieces._get_spans` and a slop-1 ordered
        `SpanNear2` read them: each piece's places, less its offset, share a start."""
        leaves, offsets = _pieces(matcher)
        places: list[dict[int, bytes]] = [{} for _ in leaves]
        for i in sorted(range(len(leaves)), key=lambda i: self._size(leaves[i])):
            # the rarest piece first, each next one read only where all before it stand
            self.read[id(leaves[i])] = within = self._leaf(leaves[i], within, places[i])
        candidates = self.scores(matcher.child)
        first, first_offset = places[0], offsets[0]
        rest = list(zip(places[1:], offsets[1:], strict=True))
        found: Scores = {}
        boost = matcher.boost
        for docnum, score in candidates.items():
            starts = _starts(first[docnum], first_offset)
            for values, offset in rest:
                starts &= _starts(values[docnum], offset)
                if not starts:
                    break
            else:
                found[docnum] = score * boost
        return found

    def _leaf(
        self, matcher: Any, within: Scores | None, values: dict[int, bytes] | None = None
    ) -> Scores:
        """A word's postings a block at a time (only blocks that may hold a document of
        `within`), scored as Whoosh's scorer does; their encoded places into `values`."""
        scorer = matcher.scorer
        column = None
        if type(scorer) is scoring.BM25FScorer and self.perdoc is not None and matcher._term:
            column = lengths.column_of(self.perdoc, matcher._term[0])
        targets = sorted(within) if within is not None else None
        t = 0
        found: Scores = {}
        while matcher.is_active():
            self.check()
            if targets is not None:
                if t == len(targets):
                    break
                if matcher._maxid < targets[t]:  # no document of `within` in this block
                    matcher._i = matcher._blocklength - 1
                    matcher.next()
                    continue
                t = bisect_right(targets, matcher._maxid, t)
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            start = matcher._i
            at: Iterable[int] = range(start, matcher._blocklength)
            if within is not None:
                ids = matcher._ids
                at = [i for i in at if ids[i] in within]
            self._block(matcher, at, column, found)
            if values is not None:
                if matcher._values is None:
                    matcher._read_values()
                ids, encoded = matcher._ids, matcher._values
                values.update((ids[i], encoded[i]) for i in at)
            matcher._i = matcher._blocklength - 1
            matcher.next()
        return found

    @staticmethod
    def _block(matcher: Any, at: Any, column: bytes | None, found: Scores) -> None:
        """The postings `at` (indexes into the current block) with their scores."""
        ids, weights, scorer = matcher._ids, matcher._weights, matcher.scorer
        if type(scorer) in _SCORES_ARE_WEIGHTS:
            found.update((ids[i], weights[i]) for i in at)
        elif column is not None:
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            for i in at:
                docnum, tf = ids[i], weights[i]
                fl = _LENGTH_OF_BYTE[column[docnum]]  # bm25() of whoosh.scoring
                found[docnum] = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
        else:
            for i in at:
                matcher._i = i
                found[ids[i]] = scorer.score(matcher)

    def _walked(self, matcher: Any, within: Scores | None) -> Scores:
        """Whoosh's own walk: every match, or each document of `within` skipped to."""
        found: Scores = {}
        check = self.check
        if within is None:
            while matcher.is_active():
                check()
                found[matcher.id()] = matcher.score()
                matcher.next()
            return found
        for docnum in sorted(within):
            if not matcher.is_active():
                break
            check()
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                found[docnum] = matcher.score()
        return found


def _starts(value: bytes, offset: int) -> set[int]:
    """Where a phrase would start if this piece stands at `offset` in it: the places of an
    encoded `formats.Positions` value (as its `decode_positions`, without a list) less
    `offset`."""
    if not value.endswith(b"."):
        value += b"."
    return {p - offset for p in accumulate(loads(value[4:]))}


def _pieces(matcher: Any) -> tuple[list[Any], Any]:
    """A phrase's word (or pair) matchers, without the filter of deleted documents around
    them, and the offset of each in the phrase."""
    pieces, offsets = (
        (matcher.leaves, matcher.offsets)
        if type(matcher) is Pieces
        else (matcher.ms, range(len(matcher.ms)))
    )
    return [p.child if type(p) is wrappers.FilterMatcher else p for p in pieces], offsets


def _placed(matcher: Any) -> bool:
    """A phrase of adjacent words or pairs, each read whole and its places stored as
    `formats.Positions` (see `_Segment._placed`)."""
    kind = type(matcher)
    if kind is not Pieces and not (
        kind is _PHRASE and matcher.slop == 1 and matcher.ordered and matcher.mindist == 1
    ):
        return False
    leaves = _pieces(matcher)[0]
    return all(type(p) is _LEAF and type(p.format) is formats.Positions for p in leaves)


def _union(a: Scores, b: Scores) -> Scores:
    if len(a) < len(b):
        a, b = b, a
    for docnum, score in b.items():
        other = a.get(docnum)
        a[docnum] = score if other is None else other + score
    return a


def _listed(matcher: Any, within: Scores | None) -> Scores:
    ids = matcher._ids[matcher._i :]
    if matcher._all_weights:
        found = dict.fromkeys(ids, matcher._all_weights)
    elif matcher._weights:
        found = dict(zip(ids, matcher._weights[matcher._i :], strict=True))
    else:
        found = dict.fromkeys(ids, 1.0)
    return found if within is None else {d: s for d, s in found.items() if d in within}
