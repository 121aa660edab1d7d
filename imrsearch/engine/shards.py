"""An index split by decision year: one Whoosh index per year in one generation folder.

Whoosh keeps several indexes in one folder under different names (`_Y2016_1.toc`,
`Y2016_<segment>.seg`), so the shards of a generation are written, checked (`integrity` lists
every file of every shard) and published (one CURRENT) exactly as an unsharded index is; an
unsharded generation is the one index Whoosh names MAIN. A letter goes to the shard of its
decision year, a letter without a decision date to the UNDATED shard.

Read, the shards' segments are one Whoosh reader (a MultiReader over every shard's segments),
so document counts, term frequencies and field lengths are those of the whole index: scores,
totals and facets equal an unsharded index's, and `ties` orders equals the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from whoosh.reading import MultiReader
from whoosh.searching import Searcher

from imrsearch.engine import (  # noqa: F401 - patches of Whoosh's readers and matchers
    filters,  # a range listed from its words' postings
    lengths,  # a field's lengths read once per segment
    segments,  # the segments read as one index
)
from imrsearch.model import Letter

BY_YEAR = "year"
SHARDINGS = (BY_YEAR,)
MAIN = "MAIN"  # Whoosh's name for the one index of a folder
UNDATED = "UNDATED"
_TOC = re.compile(r"_(MAIN|Y\d{4}|UNDATED)_\d+\.toc")


def shard_of(letter: Letter) -> str:
    day = letter.decision_date
    return f"Y{day.year:04d}" if day else UNDATED


def names(generation: Path) -> list[str]:
    """The Whoosh indexes of a generation, by their table of contents: [MAIN] unsharded."""
    return sorted({m.group(1) for n in _listing(generation) if (m := _TOC.fullmatch(n))})


def _listing(generation: Path) -> list[str]:
    return [p.name for p in generation.iterdir()]


class ShardedIndex:
    """The shards of one generation opened as one index (what `Searcher` needs of one)."""

    def __init__(self, storage: Any, shards: list[str]) -> None:
        self.indexes = [storage.open_index(name) for name in shards]
        self.schema = self.indexes[0].schema

    def searcher(self) -> Searcher:
        leaves: list[Any] = []
        for ix in self.indexes:
            reader = ix.reader()
            leaves.extend(r for r, _offset in reader.leaf_readers())
        return Searcher(MultiReader(leaves) if len(leaves) > 1 else leaves[0])

    def close(self) -> None:
        for ix in self.indexes:
            ix.close()


def open_index(storage: Any, generation: Path) -> Any:
    """The generation's index: Whoosh's own for an unsharded one, else its shards as one."""
    shards = names(generation)
    if shards in ([], [MAIN]):
        return storage.open_index()
    return ShardedIndex(storage, shards)
