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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import MultiReader
from whoosh.searching import Searcher

from imrsearch.engine import (  # noqa: F401 - patches of Whoosh's readers and matchers
    filters,  # a range listed from its words' postings
    lengths,  # a field's lengths read once per segment
    segments,  # the segments read as one index
)
from imrsearch.engine.documents import letter_documents
from imrsearch.engine.schema import build_schema
from imrsearch.model import Letter

BY_YEAR = "year"
SHARDINGS = (BY_YEAR,)
MAIN = "MAIN"  # Whoosh's name for the one index of a folder
UNDATED = "UNDATED"
_TOC = re.compile(r"_(MAIN|Y\d{4}|UNDATED)_\d+\.toc")
_WRITER_MB = 32  # per shard: letters of several years may be open at once
_MERGE_AT_SEGMENTS = 10


def shard_of(letter: Letter) -> str:
    day = letter.decision_date
    return f"Y{day.year:04d}" if day else UNDATED


def names(generation: Path) -> list[str]:
    """The Whoosh indexes of a generation, by their table of contents: [MAIN] unsharded."""
    return sorted({m.group(1) for n in _listing(generation) if (m := _TOC.fullmatch(n))})


def _listing(generation: Path) -> list[str]:
    return [p.name for p in generation.iterdir()]


class ShardWriters:
    """A writer per shard, opened when the first letter of its year comes (or a deletion
    finds one of its letters), all committed together before the generation is published."""

    def __init__(self, work: Path) -> None:
        self.storage = FileStorage(str(work), supports_mmap=False)
        self.work = work
        self.writers: dict[str, Any] = {}

    def _writer(self, name: str) -> Any:
        if name not in self.writers:
            if self.storage.index_exists(name):
                ix = self.storage.open_index(name)
            else:
                ix = self.storage.create_index(build_schema(), name)
            self.writers[name] = ix.writer(limitmb=_WRITER_MB)
        return self.writers[name]

    def add(self, letter: Letter) -> int:
        """Write the letter's documents to its shard; how many there were."""
        writer = self._writer(shard_of(letter))
        documents = letter_documents(letter)
        with writer.group():
            for doc in documents:
                writer.add_document(**doc)
        return len(documents)

    def delete(self, paths: Iterable[str]) -> None:
        """Drop the documents of these letter files from whichever shards hold them; a shard
        that holds none of them is not opened for writing."""
        paths = list(paths)
        for name in names(self.work):
            with self.storage.open_index(name).reader() as reader:
                held = [p for p in paths if ("path", p) in reader]
            if held:
                writer = self._writer(name)
                with writer.searcher() as searcher:
                    for path in held:
                        writer.delete_by_term("path", path, searcher=searcher)

    def commit(self) -> int:
        """Commit every open writer (a shard's segments merged once many pile up, as an
        unsharded index's are); the documents the shards hold together."""
        if not self.writers and not names(self.work):
            self._writer(UNDATED)  # an archive without letters: one empty shard
        for writer in self.writers.values():
            writer.commit(merge=len(writer.segments) >= _MERGE_AT_SEGMENTS)
        total = 0
        for name in names(self.work):
            ix = self.storage.open_index(name)
            total += ix.doc_count_all()
            ix.close()
        return total

    def cancel(self) -> None:
        for writer in self.writers.values():
            if not writer.is_closed:
                writer.cancel()


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
