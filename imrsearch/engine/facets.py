"""Facet counts among a search's matches, from the facet columns.

A facet column stores, for each document, a small number that refers to one of the column's
distinct values (Whoosh's `RefBytesColumn`: "upheld", "Valium|Diazepam", ...). Reading that
through Whoosh's column reader costs several calls per document: 1.2 s for four facets of
164,000 matches at 100,000 letters. Here each segment's numbers are read once, as one array,
when a facet is first counted; a count is then a `Counter` of array lookups over the matches,
and each distinct value is split into its facet values once. A process that keeps its searcher
(the TUI, the web server) keeps the arrays: one to four bytes per document and facet.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any

from whoosh import columns

from imrsearch.engine.schema import FACET_SEP
from imrsearch.engine.segments import by_segment

_UPHELD = b"upheld"
Counts = tuple[Counter[str], Counter[str]]  # documents per value; of those, upheld ones


class _Column:
    """One segment's facet column: the reference of each document, and what each refers to."""

    def __init__(self, reader: Any, name: str) -> None:
        column = reader.column_reader(name, translate=False)
        if isinstance(column, columns.RefBytesColumn.Reader):
            length = column._doccount * column._itemsize
            self.refs = array(column._typecode, bytes(column._dbfile.get(column._basepos, length)))
            if column._itemsize > 1 and sys.byteorder == "little":
                self.refs.byteswap()  # Whoosh packs them big-endian ("!")
            self.values: list[bytes] = list(column._uniques)
        else:  # another column type: its values, one per document, as references to them
            known: dict[bytes, int] = {}
            self.refs = array("I", (known.setdefault(raw, len(known)) for raw in column))
            self.values = list(known)

    def refs_of(self, docnums: list[int]) -> Counter[int]:
        refs = self.refs
        return Counter(refs[d] for d in docnums if d < len(refs))


class FacetCounter:
    """Counts for one open reader; its columns' arrays live as long as the reader."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._columns: dict[tuple[int, str], _Column] = {}
        self._split: dict[bytes, frozenset[str]] = {}

    def counts(self, names: Iterable[str], docnums: Iterable[int]) -> dict[str, Counts]:
        """For each facet in `names`: documents per value among `docnums`, and upheld ones."""
        held = [(leaf, local) for leaf, _, local in by_segment(self._reader, docnums)]
        upheld_docs = [self._upheld(at, leaf, docs) for at, (leaf, docs) in enumerate(held)]
        found: dict[str, Counts] = {}
        for name in names:
            counts: Counter[str] = Counter()
            upheld: Counter[str] = Counter()
            for at, (leaf, docs) in enumerate(held):
                if not docs:
                    continue
                column = self._column(at, leaf, f"facet_{name}")
                for tally, of in ((counts, docs), (upheld, upheld_docs[at])):
                    for ref, n in column.refs_of(of).items():
                        for value in self._values(column.values[ref]):
                            tally[value] += n
            found[name] = (counts, upheld)
        return found

    def _upheld(self, at: int, leaf: Any, docs: list[int]) -> list[int]:
        outcome = self._column(at, leaf, "facet_outcome")
        if _UPHELD not in outcome.values:
            return []
        ref, refs = outcome.values.index(_UPHELD), outcome.refs
        return [d for d in docs if d < len(refs) and refs[d] == ref]

    def _column(self, at: int, leaf: Any, name: str) -> _Column:
        """Segment number `at`'s column `name` (`leaf` its reader), read on first use."""
        key = (at, name)
        if key not in self._columns:
            self._columns[key] = _Column(leaf, name)
        return self._columns[key]

    def _values(self, raw: bytes) -> frozenset[str]:
        """The facet values a column value holds (several joined by FACET_SEP; none if
        empty), each counted once per document."""
        if raw not in self._split:
            self._split[raw] = frozenset(filter(None, raw.decode().split(FACET_SEP)))
        return self._split[raw]
