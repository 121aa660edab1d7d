"""Open an index by mapping its files, never by copying them.

Whoosh's own `FileStorage` maps a compound segment (`.seg`) and then hands out each file inside
it as a `BufferFile`, whose `BytesIO` copies the file's bytes: opening an index read every
posting and stored field into memory, so a query process grew by the size of the index. Here
each file is mapped once and every file inside it is a window on that map with its own
position: reads take only the bytes they ask for, and the kernel pages in what is read.

Every read also passes a `Checkpoint`: a search that must stop (cancelled, or out of time)
stops at its next read, wherever Whoosh is at (expanding a wildcard, checking positions of a
phrase between two matches), not only when it finds a match.

The storage tells Whoosh it cannot map (`supports_mmap = False`), so Whoosh's compound reader
asks our file for its sub-files (`subset`) instead of mapping and copying them itself. A map
lives as long as some window uses it, so a search still running on a searcher that was closed
(the TUI's refresh) reads on as it did with the copies.
"""

from __future__ import annotations

import mmap
import os
from array import array
from collections.abc import Callable
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.system import IS_LITTLE

Buffer = mmap.mmap | bytes


class Checkpoint:
    """What every read of a storage's files calls first, when set: the search running on it
    raises there to stop."""

    def __init__(self) -> None:
        self.check: Callable[[], None] | None = None


class MappedStorage(FileStorage):
    """A read-only `FileStorage` whose files are windows on a map of each file."""

    supports_mmap = False  # Whoosh's compound reader then calls our `subset`, which maps

    def __init__(self, path: str, checkpoint: Checkpoint | None = None) -> None:
        super().__init__(path, supports_mmap=False, readonly=True)
        self.checkpoint = checkpoint or Checkpoint()

    def open_file(self, name: str, **kwargs: Any) -> MappedFile:
        with open(self._fpath(name), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            # An empty file cannot be mapped; nothing is read from it either way.
            data: Buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return MappedFile(data, 0, size, self.checkpoint, name=name, **kwargs)


class _Window:
    """A file-like view of `data[start:end]` with its own position (what `pickle.load` and
    Whoosh's sequential reads use); reading slices the map, which copies only those bytes."""

    def __init__(self, data: Buffer, start: int, end: int, checkpoint: Checkpoint) -> None:
        self.data = data
        self.start = start
        self.end = end
        self.pos = start
        self.checkpoint = checkpoint

    def read(self, size: int | None = -1) -> bytes:
        if self.checkpoint.check is not None:
            self.checkpoint.check()
        begin = self.pos
        stop = self.end if size is None or size < 0 else min(self.end, begin + size)
        self.pos = max(begin, stop)
        return self.data[begin:stop]

    def readline(self, size: int | None = -1) -> bytes:
        begin = self.pos
        newline = self.data.find(b"\n", begin, self.end)
        stop = self.end if newline < 0 else newline + 1
        if size is not None and size >= 0:
            stop = min(stop, begin + size)
        self.pos = max(begin, stop)
        return self.data[begin:stop]

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            base = self.start
        elif whence == os.SEEK_CUR:
            base = self.pos
        elif whence == os.SEEK_END:
            base = self.end
        else:
            raise ValueError(f"invalid whence ({whence})")
        if base + offset < self.start:
            raise ValueError("negative seek position")
        self.pos = base + offset
        return self.pos - self.start

    def tell(self) -> int:
        return self.pos - self.start

    def close(self) -> None:
        """The map stays until no window uses it (see the module's docstring)."""


class MappedFile(StructFile):
    """Whoosh's structured file over a window of a map; random reads (`get`) slice the map
    without moving the position, as Whoosh's `BufferFile` does."""

    def __init__(
        self,
        data: Buffer,
        start: int,
        end: int,
        checkpoint: Checkpoint,
        name: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(_Window(data, start, end, checkpoint), name=name, **kw)
        self._data = data
        self._start = start
        self._end = end
        self._checkpoint = checkpoint

    def subset(self, offset: int, length: int, name: str | None = None) -> MappedFile:
        begin = self._start + offset
        end = min(self._end, begin + length)
        return MappedFile(self._data, begin, end, self._checkpoint, name or self._name)

    def get(self, position: int, length: int) -> bytes:
        if self._checkpoint.check is not None:
            self._checkpoint.check()
        begin = self._start + position
        return self._data[begin : min(self._end, begin + length)]

    def get_array(self, position: int, typecode: str, length: int) -> array:
        values = array(typecode)
        values.frombytes(self.get(position, length * values.itemsize))
        if IS_LITTLE:
            values.byteswap()
        return values
