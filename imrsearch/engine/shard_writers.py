"""Writing an index split by decision year (see `shards`), in one process or in several.

Each shard is its own Whoosh index in the generation folder. The build's process holds the
lock of every shard it touches and does its deletions and its commit; the letters themselves
are written by segment writers that take no lock, as Whoosh's own multi-process writer does:
in this process, or in writer processes that each take batches of letters off one queue and
write any shard's letters into a segment of their own. The segments are added to their
shard's table of contents when all are done, so which process wrote a letter does not change
an answer (ties are broken by key, never by document number).

Letters, not documents, cross to the writer processes, so the documents are made there too.
The queue is bounded, and each process divides a fixed amount of posting memory among the
shards it writes, so memory does not grow with the archive or the number of years.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from imrsearch.children import die_with_parent
from imrsearch.engine.documents import letter_documents
from imrsearch.engine.schema import build_schema
from imrsearch.engine.shards import UNDATED, names, shard_of
from imrsearch.errors import ImrError
from imrsearch.model import Letter

_PROCESS_MB = 128  # postings held in memory by one writer, whatever the number of shards
_LOCKED_MB = 32  # the main process's writer of a shard: deletions and merges only
_MERGE_AT_SEGMENTS = 10
_BATCH = 32  # letters per job of a writer process
_RESULT_WAIT = 2.0  # seconds between looks at whether a writer process died


class _SegmentWriters:
    """A lock-free segment writer per shard, opened at the shard's first letter."""

    def __init__(self, storage: FileStorage) -> None:
        self.storage = storage
        self.writers: dict[str, SegmentWriter] = {}
        self.letters: Counter[str] = Counter()

    def add(self, name: str, letter: Letter) -> None:
        writer = self.writers.get(name)
        if writer is None:
            writer = SegmentWriter(self.storage.open_index(name), _lk=False)
            self.writers[name] = writer
            for each in self.writers.values():  # the memory divided anew among the shards
                each.pool.limit = _PROCESS_MB * 1024 * 1024 // len(self.writers)
        with writer.group():
            for doc in letter_documents(letter):
                writer.add_document(**doc)
        self.letters[name] += 1

    def finish(self) -> dict[str, tuple[Any, int]]:
        """Each shard's new segment, written out, with the letters it holds."""
        return {
            name: (writer._finalize_segment(), self.letters[name])
            for name, writer in self.writers.items()
        }

    def cancel(self) -> None:
        for writer in self.writers.values():
            with contextlib.suppress(OSError):
                writer._close_segment()


def _write(folder: str, jobs: Any, results: Any) -> None:
    """A writer process: batches of (shard, letter) until None, then its segments."""
    die_with_parent()
    writers = _SegmentWriters(FileStorage(folder, supports_mmap=False))
    try:
        while (batch := jobs.get()) is not None:
            for name, letter in batch:
                writers.add(name, letter)
        results.put(("done", writers.finish()))
    except OSError as error:  # a full disk: the build says so as for its own writes
        writers.cancel()
        results.put(("oserror", (error.errno, error.strerror, error.filename)))
    except Exception as error:  # anything else fails the build, never a silent loss
        writers.cancel()
        results.put(("failed", f"{type(error).__name__}: {error}"))


class _Processes:
    """Writer processes fed batches of letters through bounded queues: one queue for all
    (a build: any process writes any shard, so all stay busy whatever the walk order), or a
    queue per process with each shard's letters in one of them (an update: one new segment
    per shard, not one per process, since every segment costs each search a little)."""

    def __init__(self, folder: Path, count: int, by_shard: bool) -> None:
        context = multiprocessing.get_context("fork")
        self.count = count
        self.lanes = (
            [context.Queue(2) for _ in range(count)] if by_shard else [context.Queue(count * 2)]
        )
        self.results = context.Queue()
        self.batches: dict[int, list[tuple[str, Letter]]] = {}
        self.lane_of: dict[str, int] = {}  # a shard's queue, given in turn as shards come
        self.processes = [
            context.Process(
                target=_write, args=(str(folder), self.lanes[i % len(self.lanes)], self.results)
            )
            for i in range(count)
        ]
        for process in self.processes:
            process.start()

    def add(self, name: str, letter: Letter) -> None:
        lane = self.lane_of.setdefault(name, len(self.lane_of) % len(self.lanes))
        batch = self.batches.setdefault(lane, [])
        batch.append((name, letter))
        if len(batch) >= _BATCH:
            self.lanes[lane].put(batch)
            self.batches[lane] = []

    def finish(self) -> list[dict[str, tuple[Any, int]]]:
        """Every process's segments; an error if one failed or died without a word."""
        for lane, batch in self.batches.items():
            if batch:
                self.lanes[lane].put(batch)
        for i in range(self.count):
            self.lanes[i % len(self.lanes)].put(None)
        finished: list[dict[str, tuple[Any, int]]] = []
        while len(finished) < len(self.processes):
            try:
                kind, value = self.results.get(timeout=_RESULT_WAIT)
            except queue.Empty:
                if all(p.exitcode is not None for p in self.processes):
                    raise _died(len(self.processes) - len(finished)) from None
                continue
            if kind == "oserror":
                raise OSError(*value)
            if kind == "failed":
                raise ImrError(f"a writer process failed: {value}", hint=_AGAIN)
            finished.append(value)
        for process in self.processes:
            process.join()
        return finished

    def cancel(self) -> None:
        for lane in self.lanes:  # nobody reads them now: do not wait at exit to flush them
            lane.cancel_join_thread()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join()


_AGAIN = "run the build again; the previous index is unchanged"


def _died(count: int) -> ImrError:
    return ImrError(
        f"{count} writer process(es) ended without finishing their letters", hint=_AGAIN
    )


class ShardWriters:
    """The shards of a new generation, written by `processes` writer processes (in this
    process with 1): deletions, letters, and one commit of every shard at the end."""

    def __init__(self, work: Path, processes: int = 1, by_shard: bool = False) -> None:
        self.storage = FileStorage(str(work), supports_mmap=False)
        self.work = work
        self.processes = processes
        self.by_shard = by_shard  # each shard written by one process (see `_Processes`)
        self.locked: dict[str, SegmentWriter] = {}  # this process's writer of each shard
        self.sent: Counter[str] = Counter()  # letters handed to the writers, by shard
        self.here: _SegmentWriters | None = None
        self.pool: _Processes | None = None

    def _locked(self, name: str) -> SegmentWriter:
        """The shard's locked writer, the shard created first if it is new (before any
        writer process opens it)."""
        if name not in self.locked:
            if self.storage.index_exists(name):
                ix = self.storage.open_index(name)
            else:
                ix = self.storage.create_index(build_schema(), name)
            self.locked[name] = ix.writer(limitmb=_LOCKED_MB)
        return self.locked[name]

    def add(self, letter: Letter) -> None:
        """Hand the letter to the writers of its shard (the writer processes start with the
        first letter: an update that only deletes starts none)."""
        name = shard_of(letter)
        self._locked(name)
        self.sent[name] += 1
        if self.processes > 1:
            if self.pool is None:
                self.pool = _Processes(self.work, self.processes, self.by_shard)
            self.pool.add(name, letter)
            return
        if self.here is None:
            self.here = _SegmentWriters(self.storage)
        self.here.add(name, letter)

    def delete(self, paths: Iterable[str]) -> None:
        """Drop the documents of these letter files from whichever shards hold them; a shard
        that holds none of them is not opened for writing."""
        paths = list(paths)
        for name in names(self.work):
            with self.storage.open_index(name).reader() as reader:
                held = [p for p in paths if ("path", p) in reader]
            if held:
                writer = self._locked(name)
                with writer.searcher() as searcher:
                    for path in held:
                        writer.delete_by_term("path", path, searcher=searcher)

    def commit(self) -> None:
        """Add each shard's new segments to its table of contents (a shard's old segments are
        merged once many pile up, as an unsharded index's are)."""
        if not self.locked and not names(self.work):
            self._locked(UNDATED)  # an archive without letters: one empty shard
        written: dict[str, list[Any]] = {name: [] for name in self.locked}
        got: Counter[str] = Counter()
        parts = self.pool.finish() if self.pool else [self.here.finish()] if self.here else []
        for part in parts:
            for name, (segment, letters) in part.items():
                written[name].append(segment)
                got[name] += letters
        if got != self.sent:
            raise ImrError(
                f"the writers wrote {sum(got.values()):,} of {sum(self.sent.values()):,} "
                "letters, so the index was not published",
                hint=_AGAIN,
            )
        for name, writer in self.locked.items():
            final = writer._merge_segments(None, None, len(writer.segments) >= _MERGE_AT_SEGMENTS)
            final.extend(written[name])
            if writer._added:  # old segments merged into this writer
                final.append(writer._finalize_segment())
            else:
                writer._close_segment()
            writer._commit_toc(final)
            writer._finish()

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.cancel()
        if self.here is not None:
            self.here.cancel()
        for writer in self.locked.values():
            if not writer.is_closed:
                writer.cancel()
