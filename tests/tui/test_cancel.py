"""Esc stops a slow search in the engine, so the next query answers at once instead of waiting
for the old one to finish."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from imrsearch.engine import mapped
from imrsearch.tui.app import make_app
from imrsearch.tui.widgets import QueryBar

SLOW = "norco"
READ_DELAY = 0.05  # per read of the index, in the slow search's thread only


@pytest.fixture
def slowed(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """Threads whose every read of the index is slow (the searches for SLOW)."""
    threads: set[int] = set()
    read = mapped.MappedFile.get

    def slow_read(self: mapped.MappedFile, position: int, length: int) -> bytes:
        if threading.get_ident() in threads:
            time.sleep(READ_DELAY)
        return read(self, position, length)

    monkeypatch.setattr(mapped.MappedFile, "get", slow_read)
    return threads


async def _until(pilot: Pilot, done, seconds: float = 10.0) -> None:
    stop = time.perf_counter() + seconds
    while not done():
        assert time.perf_counter() < stop, "timed out waiting"
        await pilot.pause(0.01)


async def test_escape_frees_the_searcher_within_a_second(tui_index: Path, slowed: set[int]):
    app = make_app(index=tui_index)
    backend = app.backend
    search = backend.search
    finished: list[tuple[str, float]] = []

    def marked(text: str, cancel: threading.Event | None = None):
        if text == SLOW:
            slowed.add(threading.get_ident())
        try:
            return search(text, cancel)
        finally:
            slowed.discard(threading.get_ident())
            finished.append((text, time.perf_counter()))

    backend.search = marked  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.query_one(QueryBar)
        bar.value = SLOW
        bar.focus()
        await pilot.press("enter")
        await _until(pilot, lambda: slowed)  # the slow search is reading the index
        await pilot.pause(0.3)
        assert app.searching and not finished  # still at it: it reads slowly

        pressed = time.perf_counter()
        await pilot.press("escape")
        bar.value = "valium"
        await pilot.press("enter")
        # Left alone, the slow search reads for far longer than this waits.
        await _until(pilot, lambda: app.result is not None and not app.searching)

        assert app.result is not None and app.result.query == "valium"
        assert app.result.total > 0
        slow, ended = finished[0]
        assert slow == SLOW  # it ended first, and within a second of Esc
        assert ended - pressed < 1.0, ended - pressed
