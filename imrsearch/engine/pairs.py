"""A phrase of a text field through its field of pairs and triples (`schema.CommonPairs`,
`schema.WordPairs`).

Words such as "not", "medically" and "necessary" stand in nearly every decision, so Whoosh's
phrase reads their places in most of the archive to find the few where they follow each other.
The index also holds, at the first word's place, each pair of adjacent words of which one is
common and each three of which all are: "not medically" and "not medically necessary" are short
lists (a short field holds all its pairs and triples). A phrase is read as pieces that together
cover each of its words once: triples and pairs where the index has them, single words
elsewhere, each at its offset in the phrase. The phrase stands where every piece stands at its
offset, so the answer is exactly Whoosh's: a pair or triple proves its words adjacent, and the
places prove the rest. A phrase that is one piece needs no places at all.
"""

from __future__ import annotations

from collections.abc import Container

from whoosh import matching, query
from whoosh.matching import binary
from whoosh.query import spans
from whoosh.util import make_binary_tree

from imrsearch.engine.schema import CommonPairs, WordPairs, pairs_field

Piece = tuple[str, str, int]  # field, text, offset of its first word in the phrase


def pieces(fieldname: str, words: list[str], common: Container[str]) -> list[Piece]:
    """Triples, pairs and single words covering each word of the phrase once: a triple where
    the index has it (all three words common), else a pair where it has that (one of two),
    else a word; the last word, when the pieces before it leave it alone, is taken with its
    neighbour if that pair is indexed."""
    paired = pairs_field(fieldname)
    found: list[Piece] = []
    i = 0
    while i < len(words):
        if i + 2 < len(words) and all(word in common for word in words[i : i + 3]):
            found.append((paired, " ".join(words[i : i + 3]), i))
            i += 3
        elif i + 1 < len(words) and (words[i] in common or words[i + 1] in common):
            found.append((paired, f"{words[i]} {words[i + 1]}", i))
            i += 2
        elif i > 0 and i + 1 == len(words) and (words[i - 1] in common or words[i] in common):
            found.append((paired, f"{words[i - 1]} {words[i]}", i - 1))
            i += 1
        else:
            found.append((fieldname, words[i], i))
            i += 1
    return found


def common_words(searcher, fieldname: str) -> Container[str] | None:
    """The common words the index's pairs of `fieldname` were built with (None: no pairs)."""
    schema = searcher.schema
    name = pairs_field(fieldname)
    if name not in schema or not isinstance(schema[name].analyzer, (CommonPairs, WordPairs)):
        return None
    return schema[name].analyzer.common


def phrase_matcher(searcher, fieldname: str, words: list[str], common, context=None):
    """The documents where `words` stand one after the other in `fieldname`."""
    reader = searcher.reader()
    found = pieces(fieldname, words, common)
    parts = []
    for field, text, offset in found:
        btext = text.encode("utf-8")
        if (field, btext) not in reader:
            return matching.NullMatcher()
        parts.append((reader.doc_frequency(field, btext), offset, query.Term(field, btext)))
    parts.sort(key=lambda part: part[:2])  # the shortest lists lead the intersection
    leaves = [term.matcher(searcher, context) for _, _, term in parts]
    offsets = [offset for _, offset, _ in parts]
    if len(leaves) == 1:
        return OnePiece(leaves[0], len(words) - 1)
    return Pieces(leaves, offsets, len(words) - 1)


class OnePiece(matching.WrappingMatcher):
    """A phrase that is one pair: every document of the pair; places read only for spans."""

    def __init__(self, child, extent: int, boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self.extent = extent

    def copy(self):
        return OnePiece(self.child.copy(), self.extent, self.boost)

    def _replacement(self, newchild):
        return OnePiece(newchild, self.extent, self.boost)

    def spans(self) -> list[spans.Span]:
        return [spans.Span(p, p + self.extent) for p in self.child.value_as("positions")]


class Pieces(spans.SpanWrappingMatcher):
    """The documents all pieces are in, kept where they stand at their offsets."""

    def __init__(self, leaves: list, offsets: list[int], extent: int) -> None:
        self.leaves, self.offsets, self.extent = leaves, offsets, extent
        super().__init__(make_binary_tree(binary.IntersectionMatcher, leaves))

    def copy(self):
        return Pieces([m.copy() for m in self.leaves], self.offsets, self.extent)

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self) -> bool:
        return False  # skipping blocks by score would pass over the check of places

    def _get_spans(self) -> list[spans.Span]:
        starts: set[int] | None = None
        for leaf, offset in zip(self.leaves, self.offsets, strict=True):
            here = {p - offset for p in leaf.value_as("positions")}
            starts = here if starts is None else starts & here
            if not starts:
                return []
        return [spans.Span(s, s + self.extent) for s in sorted(starts or ())]
