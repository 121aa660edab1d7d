"""Facet counts among a search's matches, from the facet columns.

A command searches once: it reads the column of each matching document, as few as it needs. A
process that keeps its searcher (the TUI) searches again and again: on its second count it
reads each column once, whole, into one bitset of documents per value, and from then on a
count is an AND of two bitsets and a popcount, however many documents match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from imrsearch.engine.schema import FACET_SEP

_UPHELD = "upheld"
Counts = tuple[Counter[str], Counter[str]]  # documents per value; of those, upheld ones


class FacetCounter:
    """Counts for one open reader; its bitsets live as long as the reader."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._searches = 0
        self._bits: dict[str, dict[str, int]] = {}

    def counts(self, names: Iterable[str], docnums: Iterable[int]) -> dict[str, Counts]:
        """For each facet in `names`: documents per value among `docnums`, and upheld ones."""
        names = list(names)
        self._searches += 1
        if self._searches == 1:
            return self._by_document(names, list(docnums))
        matched = _bitset(docnums)
        upheld = matched & self._values("outcome").get(_UPHELD, 0)
        found = {}
        for name in names:
            counts: Counter[str] = Counter()
            upheld_counts: Counter[str] = Counter()
            for value, bits in self._values(name).items():
                here = matched & bits
                if here:
                    counts[value] = here.bit_count()
                    upheld_counts[value] = (here & upheld).bit_count()
            found[name] = (counts, upheld_counts)
        return found

    def _by_document(self, names: list[str], docnums: list[int]) -> dict[str, Counts]:
        outcome = self._reader.column_reader("facet_outcome")
        upheld_docs = {d for d in docnums if outcome[d] == _UPHELD.encode()}
        found = {}
        for name in names:
            column = self._reader.column_reader(f"facet_{name}")
            counts: Counter[str] = Counter()
            upheld: Counter[str] = Counter()
            for docnum in docnums:
                raw = column[docnum]
                if not raw:
                    continue
                for value in set(raw.decode().split(FACET_SEP)):
                    counts[value] += 1
                    if docnum in upheld_docs:
                        upheld[value] += 1
            found[name] = (counts, upheld)
        return found

    def _values(self, name: str) -> dict[str, int]:
        """Each value of facet `name` with the bitset of the documents that have it."""
        if name not in self._bits:
            docs: dict[bytes, list[int]] = {}
            for docnum, raw in enumerate(self._reader.column_reader(f"facet_{name}")):
                if raw:
                    docs.setdefault(raw, []).append(docnum)
            bits: dict[str, int] = {}
            for raw, members in docs.items():
                mask = _bitset(members)
                for value in raw.decode().split(FACET_SEP):
                    bits[value] = bits.get(value, 0) | mask
            self._bits[name] = bits
        return self._bits[name]


def _bitset(docnums: Iterable[int]) -> int:
    """The documents as bits of one integer (bit n: document n)."""
    marks = bytearray()
    for docnum in docnums:
        byte = docnum >> 3
        if byte >= len(marks):
            marks.extend(bytes(byte + 1 - len(marks)))
        marks[byte] |= 1 << (docnum & 7)
    return int.from_bytes(marks, "little")
