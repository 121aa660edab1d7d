"""Words near each other: within n words, in one sentence, in one paragraph.

The prose fields' analyzer (`schema.ProseWords`) writes each word's place as
`word + SENTENCE_STEP * sentence breaks + PARAGRAPH_STEP * paragraph breaks` before it, and no
field holds SENTENCE_STEP words. So a position reads back exactly: `pos % SENTENCE_STEP` is the
word's number, `pos // SENTENCE_STEP` names its sentence and `pos // PARAGRAPH_STEP` its
paragraph. A phrase (consecutive positions) never runs across a sentence end, and every
connector is an exact test on two positions, not a slop that approximates one.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from operator import itemgetter

from whoosh import matching, query
from whoosh.matching import binary
from whoosh.query import spans
from whoosh.util import make_binary_tree

from imrsearch.engine import pairs
from imrsearch.engine.schema import PARAGRAPH_STEP, SENTENCE_STEP

WORDS, SENTENCE, PARAGRAPH = "words", "sentence", "paragraph"
_UNIT_STEP = {SENTENCE: SENTENCE_STEP, PARAGRAPH: PARAGRAPH_STEP}

Pairs = Callable[[list[spans.Span], list[spans.Span]], list[spans.Span]]


class Near(query.Query):
    """`a` and `b` in `fieldname`, at different places: within `distance` words of each other,
    or in one sentence or paragraph (`unit`); `ordered`: `a` first. Matches with the span from
    the first to the last word of each pair, so a connector can take another as an operand."""

    def __init__(
        self, fieldname: str, a, b, unit: str, distance: int = 0, ordered: bool = False
    ) -> None:
        self.fieldname = fieldname
        self.a, self.b = a, b
        self.unit, self.distance, self.ordered = unit, distance, ordered
        self.boost = 1.0

    def field(self) -> str:
        return self.fieldname

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self), *self._key()))

    def _key(self) -> tuple:
        return (self.fieldname, self.a, self.b, self.unit, self.distance, self.ordered)

    def __repr__(self) -> str:
        return f"Near({', '.join(map(repr, self._key()))})"

    def is_leaf(self) -> bool:
        return False

    def children(self):
        return [self.a, self.b]

    def apply(self, fn):
        return self._with(fn(self.a), fn(self.b))

    def _with(self, a, b) -> Near:
        return Near(self.fieldname, a, b, self.unit, self.distance, self.ordered)

    def normalize(self):
        a, b = self.a.normalize(), self.b.normalize()
        if a is query.NullQuery or b is query.NullQuery:
            return query.NullQuery
        return self._with(a, b)

    def estimate_size(self, ixreader) -> int:
        return query.And([self.a, self.b]).estimate_size(ixreader)

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        a, b = spanned(self.a, reader), spanned(self.b, reader)
        if a is None or b is None:
            return matching.NullMatcher()
        ma, mb = a.matcher(searcher, context), b.matcher(searcher, context)
        if not (ma.is_active() and mb.is_active()):
            return matching.NullMatcher()
        return _NearMatcher(ma, mb, self._pairs())

    def _pairs(self) -> Pairs:
        if self.unit == WORDS:
            return _within(self.distance, self.ordered)
        return _together(_UNIT_STEP[self.unit], self.ordered)


class ProsePhrase(query.Phrase):
    """Whoosh's phrase, read through the common pairs where the field has them
    (`engine.pairs`); `"a b"~n` counts words between them, not positions, so it still
    reaches across a sentence end as it did before sentences had their own positions."""

    def matcher(self, searcher, context=None):
        if len(self.words) < 2:
            return super().matcher(searcher, context)
        if self.slop == 1:
            common = pairs.common_words(searcher, self.fieldname)
            if common is None:
                return super().matcher(searcher, context)
            found = pairs.phrase_matcher(searcher, self.fieldname, self.words, common, context)
            if self.boost != 1.0 and found.is_active():
                return matching.WrappingMatcher(found, boost=self.boost)
            return found
        if self.slop < 1:
            return super().matcher(searcher, context)
        chain = query.Term(self.fieldname, self.words[0])
        for word in self.words[1:]:
            term = query.Term(self.fieldname, word)
            chain = Near(self.fieldname, chain, term, WORDS, self.slop, ordered=True)
        return chain.matcher(searcher, context)


def fields_of(q) -> set[str]:
    """The fields a connector's operand searches (it holds words, phrases and ORs only)."""
    if isinstance(q, Near) or q.is_leaf():
        return {q.field()} if q.field() else set()
    return set().union(*(fields_of(child) for child in q.children()))


def restricted(q, field: str):
    """The part of an operand that searches `field` (None: no part does)."""
    if isinstance(q, Near) or q.is_leaf():
        return q if q.field() == field else None
    parts = [p for p in (restricted(child, field) for child in q.children()) if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.Or(parts)


def spanned(q, reader):
    """`q` as a query whose matcher reports where each match stands (None: matches nothing).

    Phrases and terms report positions themselves; words a wildcard or a plural stands for and
    the branches of an OR are unioned without Whoosh's SpanOr merging of touching spans, which
    would turn two adjacent matches into one wider one and change a distance."""
    if isinstance(q, (Near, query.Term, query.Phrase)):
        return q
    if isinstance(q, query.MultiTerm):
        parts = [query.Term(q.field(), text) for text in q._btexts(reader)]
    elif isinstance(q, query.Or):
        parts = [p for p in (spanned(child, reader) for child in q.children()) if p is not None]
    else:
        raise TypeError(f"a connector cannot take {q!r}")  # the parser refuses these first
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else _AnyOf(parts)


class _AnyOf(spans.SpanOr):
    def matcher(self, searcher, context=None):
        return make_binary_tree(_AnyOfMatcher, [q.matcher(searcher, context) for q in self.subqs])


class _AnyOfMatcher(spans.SpanOr.SpanOrMatcher):
    def _get_spans(self) -> list[spans.Span]:
        here = [m for m in (self.a, self.b) if m.is_active()]
        if len(here) == 2 and here[0].id() != here[1].id():
            here = [min(here, key=lambda m: m.id())]
        return sorted({span for m in here for span in m.spans()})


class _NearMatcher(spans.SpanWrappingMatcher):
    """The documents both operands match, kept when `pairs` finds a pair of their spans."""

    def __init__(self, a, b, pairs: Pairs) -> None:
        self.a, self.b, self.pairs = a, b, pairs
        super().__init__(binary.IntersectionMatcher(a, b))

    def copy(self):
        return _NearMatcher(self.a.copy(), self.b.copy(), self.pairs)

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def _get_spans(self) -> list[spans.Span]:
        return self.pairs(self.a.spans(), self.b.spans())


Place = tuple[int, int]  # a span's first and last position


def _within(distance: int, ordered: bool) -> Pairs:
    """Pairs at most `distance` words apart (1: adjacent)."""

    def fits(earlier: Place, later: Place) -> bool:
        return later[0] % SENTENCE_STEP - earlier[1] % SENTENCE_STEP <= distance

    return lambda first, second: _nearest_pairs(first, second, ordered, fits)


def _together(step: int, ordered: bool) -> Pairs:
    """Pairs inside one sentence (or paragraph): the same `pos // step`."""

    def fits(earlier: Place, later: Place) -> bool:
        return earlier[0] // step == later[0] // step

    def pairs(first: list[spans.Span], second: list[spans.Span]) -> list[spans.Span]:
        inside = [[s for s in side if s.start // step == s.end // step] for side in (first, second)]
        return _nearest_pairs(inside[0], inside[1], ordered, fits)

    return pairs


def _nearest_pairs(
    first: list[spans.Span],
    second: list[spans.Span],
    ordered: bool,
    fits: Callable[[Place, Place], bool],
) -> list[spans.Span]:
    """Each span paired with the nearest span of the other side before and after it (not
    overlapping it; `ordered`: the first side's span first), kept where `fits(earlier, later)`.

    The nearest partner is the one a pair can fit with if any can, since a place further off is
    never nearer in words, sentences or paragraphs: so a document matches exactly when some pair
    fits, and the work is (n + m) log m, not n * m (a letter can repeat a word 60,000 times).
    Places are plain tuples here: Whoosh's `Span` compares and hashes in Python, several times
    slower on such a letter.
    """
    if not first or not second:
        return []
    places = [[(s.start, s.end) for s in side] for side in (first, second)]
    found: set[Place] = set()
    add = found.add
    # `flipped`: the places are the second side's, so a partner after one comes first in order
    for side, other, flipped in ((places[0], places[1], False), (places[1], places[0], True)):
        by_start = sorted(other)
        by_end = sorted(other, key=itemgetter(1))
        starts, ends = [p[0] for p in by_start], [p[1] for p in by_end]
        look_after, look_before = not (ordered and flipped), not (ordered and not flipped)
        for place in side:
            if look_after:  # the first partner starting after it
                at = bisect.bisect_right(starts, place[1])
                if at < len(by_start) and fits(place, by_start[at]):
                    add((place[0], by_start[at][1]))
            if look_before:  # the last partner ending before it
                at = bisect.bisect_left(ends, place[0]) - 1
                if at >= 0 and fits(by_end[at], place):
                    add((by_end[at][0], place[1]))
    return [spans.Span(start, end) for start, end in sorted(found)]
