"""A search's segments read in worker processes beside this one.

A search reads every match of every segment (`bulk`), and one segment's matches do not
depend on another's, so the segments are divided between this process and worker processes
by their sizes, each reads its share, and the scores are joined here. Each worker opens the
same generation with the same reader over all segments (so document counts and term
statistics, hence scores, are the whole index's: every score equals the one-process
search's) and maps the same files (their pages are shared, not copied).

For long-running processes (the TUI): the workers start once, in fresh interpreters, and a
search costs a message each way. A search that is cancelled or out of time is stopped in every
worker at its next read (they watch the number of the search that should be running); a worker
that fails or dies fails the search with a message, never answers with part of the matches.
"""

from __future__ import annotations

import multiprocessing
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from imrsearch.children import die_with_parent
from imrsearch.engine.limits import SearchCancelled
from imrsearch.errors import ImrError

Scores = dict[int, float]
_POLL = 0.02  # seconds between checks of the search's budget while waiting for a worker


def shares(sizes: Sequence[int], parts: int) -> list[list[int]]:
    """The segments (by position) in `parts` groups of nearly equal size, largest first."""
    groups: list[list[int]] = [[] for _ in range(parts)]
    held = [0] * parts
    for position in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        least = held.index(min(held))
        groups[least].append(position)
        held[least] += sizes[position]
    return groups


class SearchWorkers:
    """`count` worker processes for the index at `root`; `scores` runs one search on them."""

    def __init__(self, root: Path, count: int, opened: Any = None) -> None:
        """`opened`: this process's open searcher, for workers forked from a process that
        runs no other thread (a command): they start with it open. Without it, they start
        in fresh interpreters (the TUI's threads must not be forked)."""
        self.context = multiprocessing.get_context("fork" if opened is not None else "spawn")
        self.opened = opened
        self.root = root
        self.current = self.context.Value("q", 0, lock=False)  # the search to run; 0: none
        self.number = 0
        self.workers: list[_Worker | None] = [None] * count  # see `start`

    def _start(self) -> _Worker:
        return _Worker(self.context, self.root, self.current, self.opened)

    def scores(
        self,
        generation: Path,
        text: str,
        sizes: Sequence[int],
        here: Callable[[list[int]], Scores],
        check: Callable[[], None],
        seconds: float = 3600.0,
    ) -> Scores:
        """Every match of `text` and its score: `here(share)` reads this process's share of
        the segments, the workers the rest; `check` stops the wait as it stops a search (the
        workers stop with it, or after `seconds` on their own)."""
        groups = shares(sizes, len(self.workers) + 1)
        self.number += 1
        self.current.value = number = self.number
        asked = []
        try:
            for i, group in enumerate(groups[1:]):
                if group:
                    try:
                        self._ready(i).ask((number, str(generation), text, group, seconds))
                    except OSError:  # it died just now: the next search starts another
                        raise self._lost(i) from None
                    asked.append(i)
            found = here(groups[0])
            for i in asked:
                found.update(self._answer(i, number, check))
            return found
        finally:
            self.current.value = 0  # done or stopped: any worker still reading stops

    def start(self) -> None:
        """Start every worker now, so that they are ready by the first search (a fresh
        interpreter takes about half a second to import and open the index)."""
        for i in range(len(self.workers)):
            self._ready(i)

    def _ready(self, i: int) -> _Worker:
        """Worker `i`, started if it is not running (first use, or it died since)."""
        worker = self.workers[i]
        if worker is None or not worker.process.is_alive():
            if worker is not None:
                worker.stop()
            worker = self.workers[i] = self._start()
        return worker

    def _answer(self, i: int, number: int, check: Callable[[], None]) -> Scores:
        worker = self.workers[i]
        assert worker is not None
        try:
            return worker.answer(number, check)
        except (EOFError, OSError):
            raise self._lost(i) from None

    def _lost(self, i: int) -> ImrError:
        worker = self.workers[i]
        self.workers[i] = None  # started again for the next search
        if worker is not None:
            worker.stop()
        return ImrError(
            "a search process ended before it answered, so no results are shown",
            hint="run the search again",
        )

    def close(self) -> None:
        for worker in self.workers:
            if worker is not None:
                worker.stop()
        self.workers = []


class _Worker:
    def __init__(self, context: Any, root: Path, current: Any, opened: Any) -> None:
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_main, args=(theirs, str(root), current, opened))
        self.process.daemon = True
        self.process.start()
        theirs.close()

    def ask(self, job: tuple[int, str, str, list[int], float]) -> None:
        self.connection.send(job)

    def answer(self, number: int, check: Callable[[], None]) -> Scores:
        while True:
            while not self.connection.poll(_POLL):
                check()
                if not self.process.is_alive():
                    raise EOFError
            answered, failure, ids, scores = self.connection.recv()
            if answered != number:
                continue  # the answer (or stop) of a search given up before
            if failure is not None:
                raise ImrError(f"a search process failed: {failure}")
            return dict(zip(array("q", ids), array("d", scores), strict=True))

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.join()


class _Stop:
    """What the worker's search watches: stop when another search (or none) should run."""

    def __init__(self, current: Any, number: int) -> None:
        self.current = current
        self.number = number

    def is_set(self) -> bool:
        return bool(self.current.value != self.number)


def _main(connection: Any, root: str, current: Any, opened: Any) -> None:
    die_with_parent()
    _serve(connection, root, current, opened)


def _serve(connection: Any, root: str, current: Any, opened: Any = None) -> None:
    """A worker: searches its share of the segments until the connection closes."""
    from imrsearch.engine.search import Searcher  # the worker's own, not its parent's
    from imrsearch.engine.store import IndexStore

    searcher: Searcher | None = opened
    while True:
        try:
            number, generation, text, group, seconds = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if searcher is None or str(searcher.generation) != generation:
                if searcher is not None:
                    searcher.close()
                searcher = Searcher(IndexStore(Path(root)), generation=Path(generation))
            searcher.time_limit = seconds
            found = searcher.share(text, group, _Stop(current, number))
            ids, scores = array("q", found), array("d", found.values())
            connection.send((number, None, ids.tobytes(), scores.tobytes()))
        except SearchCancelled:
            connection.send((number, "stopped", b"", b""))
        except Exception as error:  # the search fails with it in the main process
            connection.send((number, f"{type(error).__name__}: {error}", b"", b""))
