"""Open indexes for requests: a bounded number per process, one request each at a time.

A Whoosh searcher is not shared between threads here: each request takes one `OpenIndex` from
the pool, refreshes it (so it reads the newest published generation, and only that one, to the
end of the request, an export's stream included) and gives it back. The pool's size is the
process's concurrency bound; a request that waits longer than `wait` for one is refused as
busy rather than queued without end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread

from imrsearch import api
from imrsearch.errors import ImrError

T = TypeVar("T")


class Busy(ImrError):
    """Every searcher of this process stayed in use for longer than a request may wait."""


class Pool:
    def __init__(self, index: Path, size: int, time_limit: float, wait: float) -> None:
        self.index = index
        self.size = size
        self.time_limit = time_limit
        self.wait = wait
        self._free: list[api.OpenIndex] = []
        self._slots: asyncio.Semaphore | None = None

    @contextlib.asynccontextmanager
    async def searcher(self) -> AsyncIterator[api.OpenIndex]:
        """One open index, refreshed to the newest generation, for this request alone."""
        if self._slots is None:  # made in the server's event loop
            self._slots = asyncio.Semaphore(self.size)
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait)
        except asyncio.TimeoutError:
            raise Busy(
                f"the server is busy: {self.size} searches are running",
                hint="try again in a moment",
            ) from None
        opened: api.OpenIndex | None = None
        try:
            opened = await self.run(self._take)
            yield opened
        finally:
            if opened is not None:
                self._free.append(opened)
            self._slots.release()

    def _take(self) -> api.OpenIndex:
        if self._free:
            opened = self._free.pop()
            try:
                opened.refresh()
            except BaseException:
                opened.close()
                raise
            return opened
        return api.OpenIndex(self.index, time_limit=self.time_limit)

    @staticmethod
    async def run(work: Callable[[], T]) -> T:
        """`work` in a worker thread; a cancelled request waits for it to finish, so a
        searcher is never handed back while a thread still reads with it."""
        with anyio.CancelScope(shield=True):
            done = await anyio.to_thread.run_sync(work)
        return done

    async def stream(self, make: Callable[[api.OpenIndex], Iterator[str]]) -> AsyncIterator[str]:
        """The pieces of `make(searcher)`, each made in a worker thread, while holding one
        searcher: an export reads one generation from its first row to its last."""
        async with self.searcher() as opened:
            pieces = make(opened)
            while (piece := await self.run(lambda: next(pieces, None))) is not None:
                yield piece

    def close(self) -> None:
        while self._free:
            self._free.pop().close()
