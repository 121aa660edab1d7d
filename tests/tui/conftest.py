"""Fixtures for the TUI tests: an index of the bundled samples, a scratch working folder, and
a way to type a query and wait until the app has shown everything it leads to."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from imrsearch import api


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no asyncio plugin in the test extras)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(scope="session")
def tui_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled samples indexed once for all TUI tests."""
    path = tmp_path_factory.mktemp("idx")
    api.build(api.samples_dir(), path, workers=1)
    return path


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Exports and excerpts go to the current folder, the query history to the state folder:
    keep them out of the repository and out of the user's own history."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


async def settle(pilot: Pilot) -> None:
    """Wait out the chain search → results → letter read → preview scroll: each step may
    start the next worker or refresh, so wait until two rounds in a row find no worker."""
    idle = 0
    for _ in range(20):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        idle = idle + 1 if not any(w.is_running for w in pilot.app.workers) else 0
        if idle >= 2:
            break


async def submit(pilot: Pilot, text: str) -> None:
    """Put `text` in the query bar and press Enter there (typing it key by key is slow)."""
    bar = pilot.app.query_one("#query")
    bar.value = text
    bar.focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.fixture
def run_query() -> Callable[[Pilot, str], Awaitable[None]]:
    return submit


@pytest.fixture
def wait() -> Callable[[Pilot], Awaitable[None]]:
    return settle
