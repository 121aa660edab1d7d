"""Whoosh's side of a build or update: one new generation written and published, crash-safe.

`NewGeneration` takes `Letter`s and deletions; walking the archive, parsing in workers and the
manifest's file table are `imrsearch.build`'s. A full build writes a fresh generation; an update
clones the live one with hard links, deletes the documents of changed and removed files and
adds the new ones. Both publish by replacing the pointer (see `store`), so the old index
answers until they finish.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import shutil
import sqlite3
import struct
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.filedb.filestore import FileStorage
from whoosh.multiproc import MpWriter, SubWriterTask

from imrsearch.children import die_with_parent
from imrsearch.engine import news
from imrsearch.engine.documents import letter_documents
from imrsearch.engine.folder import MANIFEST
from imrsearch.engine.manifest import Manifest
from imrsearch.engine.schema import SCHEMA_VERSION, build_schema
from imrsearch.engine.shard_writers import ShardWriters
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError
from imrsearch.model import Letter

_WRITER_MB = 256
_MERGE_AT_SEGMENTS = 10
_RUN_BATCH = 4096  # postings per record of a sorted run
_RUN_HEADER = struct.Struct("<I")


class NewGeneration:
    """The next generation of the index, being written; use as a context manager.

    With `parallel`, Whoosh indexes in one process per core (its MpWriter), leaving several
    segments unmerged: merging would cost as much again and searches barely notice. Leaving
    the block by an exception cancels the writer; a write error (disk full, read-only) also
    removes the workspace and says so. The live index is untouched either way. `manifest` is
    the new generation's manifest: a fresh one for a build, a copy of the live one to change for
    an update.
    """

    def __init__(
        self, store: IndexStore, *, update: bool, parallel: bool = False, sharded: bool = False
    ) -> None:
        self.store = store
        self.parallel = parallel
        self.documents = 0
        self.committed = False
        self.work: Path | None = None
        self.shards: ShardWriters | None = None
        try:
            self.work = store.new_workspace(clone_live=update)
            live = store.live()
            if update and live is not None:
                self.manifest = Manifest.copy(live / MANIFEST, self.work / MANIFEST)
            else:
                self.manifest = Manifest.create(self.work / MANIFEST)
            if sharded:  # an index per year (see `shard_writers`), written by `procs` processes
                self.shards = ShardWriters(self.work, _processes(parallel), by_shard=update)
                return
            if update and live is not None:
                # Read through files, not mmap: Whoosh copies each part of an mmapped segment
                # into memory when it opens it, and the deletions' searcher opens every
                # segment (gigabytes at 100k letters), to read a few postings.
                self.ix = FileStorage(str(self.work), supports_mmap=False).open_index()
            else:
                self.ix = whoosh_index.create_in(str(self.work), build_schema())
            if parallel:
                self.writer = _GroupedMpWriter(
                    self.ix, procs=_processes(True), multisegment=True, limitmb=_WRITER_MB // 2
                )
            else:
                self.writer = self.ix.writer(limitmb=_WRITER_MB)
        except (OSError, sqlite3.Error) as error:
            raise self._write_error(error) from None

    def delete(self, paths: Iterable[str]) -> None:
        """Drop the documents of these letter files (by the path they were indexed under)."""
        paths = list(paths)
        if not paths:
            return
        if self.shards is not None:
            self.shards.delete(paths)
            return
        # One searcher for all deletions: Whoosh opens a new one per call otherwise, which at
        # 100k letters cost gigabytes for an update of 1%.
        with self.writer.searcher() as searcher:
            for path in paths:
                self.writer.delete_by_term("path", path, searcher=searcher)

    def write_in_parallel(self) -> None:
        """Write the letters in one process per core (an update of a sharded index decides
        once it knows how many letters it reads)."""
        if self.shards is not None:
            self.shards.processes = _processes(True)

    def add(self, letter: Letter) -> None:
        if self.shards is not None:
            self.shards.add(letter)
            return
        with self.writer.group():  # a letter's documents stay together, in order
            for doc in letter_documents(letter):
                self.writer.add_document(**doc)
                self.documents += 1

    def commit(self) -> None:
        """Write out every letter added (the writer processes finish their segments here),
        and check that the index holds them all; `publish` then makes it the live one."""
        assert self.work is not None
        if self.committed:
            return
        if self.shards is not None:
            self.shards.commit()
            self.committed = True
            return
        # An update adds a small segment; merging it into the big ones would rewrite them
        # (minutes and gigabytes at 100k letters): merged only once many pile up.
        merge = self.parallel or len(self.writer.segments) >= _MERGE_AT_SEGMENTS
        self.writer.commit(merge=merge)
        self.committed = True
        # From the segments' own counts in the table of contents: `doc_count_all()` opens a
        # reader, which copies the whole index into memory (1.3 GiB at 100k letters).
        held = sum(segment.doc_count_all() for segment in self.ix._segments())
        if self.parallel and held != self.documents:
            # Whoosh's MpWriter drops, without a word, the segment of a writer process that
            # died (it waits one second for each result): never publish such an index.
            raise ImrError(
                f"a writer process failed: the new index holds {held:,} of "
                f"{self.documents:,} documents, so it was not published",
                hint="run the build again; the previous index is unchanged",
            )
        self.ix.close()

    def publish(self, meta: dict[str, Any]) -> Path:
        """Commit if not yet done, finish the manifest beside the index and make this the
        live one."""
        assert self.work is not None
        self.commit()
        self.manifest.finish({"schema_version": SCHEMA_VERSION, **meta})
        news.record(self.work, self.store)  # published with the generation, or not at all
        return self.store.publish(self.work)

    def __enter__(self) -> NewGeneration:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is None:
            return
        with contextlib.suppress(sqlite3.Error):
            self.manifest.close()
        if self.shards is not None:
            with contextlib.suppress(OSError):
                self.shards.cancel()
            if isinstance(error, (OSError, sqlite3.Error)):
                raise self._write_error(error) from None
            return
        writer = self.writer
        for task in getattr(writer, "tasks", ()):  # Whoosh's writer processes, if any
            task.terminate()
        jobs = getattr(writer, "jobqueue", None)
        if jobs is not None:  # nobody reads it now: do not wait at exit to flush it
            jobs.cancel_join_thread()
        if not writer.is_closed:
            # Cleanup of a generation that is thrown away: on a full disk it can fail too,
            # and that must not hide the error that stopped the build.
            with contextlib.suppress(OSError):
                writer.cancel()
        if isinstance(error, (OSError, sqlite3.Error)):
            raise self._write_error(error) from None

    def _write_error(self, error: OSError | sqlite3.Error) -> ImrError:
        """A write error removes the new generation's folder, frees the space, and says so."""
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
        name = getattr(error, "filename", None)
        where = f" ({name})" if name else ""
        return ImrError(
            f"could not write the new index: {getattr(error, 'strerror', None) or error}{where}",
            hint="free some disk space or choose another --index folder; "
            "the previous index is unchanged",
        )


def _processes(parallel: bool) -> int:
    return (os.cpu_count() or 1) if parallel else 1


class _WriterTask(SubWriterTask):
    """Whoosh's writer process, set up as the parser workers are: it ignores Ctrl-C and dies
    with the build."""

    def run(self) -> None:
        die_with_parent()
        super().run()


class _GroupedMpWriter(MpWriter):
    """Whoosh's multi-process writer hands a batch to its writer processes only from
    `add_document` outside a group, and every letter is a group (its documents must stay
    together), so without this all documents waited for the commit and one process indexed
    them all. Here a full batch is handed over as each group ends."""

    def end_group(self) -> None:
        super().end_group()
        if not self._grouping and len(self.docbuffer) >= self.batchsize:
            self._enqueue()

    def _new_task(self) -> SubWriterTask:
        task = _WriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task


class _BatchedRunPool(writing.PostingPool):
    """Whoosh's posting pool, writing the sorted runs it spills to disk (once it holds
    `limitmb` of postings) as marshalled batches instead of one pickle per posting: pickling
    and unpickling single postings was a third of a writer process's time in a 10k build
    (benchmarks/out/profile-build-10000.md). The postings and their order are unchanged."""

    def _write_run(self, f: Any, items: Iterable[tuple[Any, ...]]) -> None:
        iterator = iter(items)
        while batch := list(islice(iterator, _RUN_BATCH)):
            data = marshal.dumps(batch)
            f.write(_RUN_HEADER.pack(len(data)))
            f.write(data)
        f.close()

    def _read_run(self, path: str) -> Iterator[tuple[Any, ...]]:
        f = self._open_run(path)
        try:
            while header := f.read(_RUN_HEADER.size):
                (length,) = _RUN_HEADER.unpack(header)
                yield from marshal.loads(f.read(length))
        finally:
            f.close()
            self._remove_run(path)


# Every segment writer, in this process and the writer processes forked from it.
writing.PostingPool = _BatchedRunPool
