"""Screenshots of the main states, compared with the accepted SVGs in __snapshots__/.

Regenerate after a deliberate change with `pytest tests/tui --snapshot-update`, then look at
the SVGs (or the HTML report pytest-textual-snapshot writes on failure) before committing.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from textual.pilot import Pilot

from imrsearch.engine import search as engine_search
from imrsearch.tui.app import make_app

DESIGN = 'outcome:upheld drug:valium "no provision to modify"'


@pytest.fixture(autouse=True)
def steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches report 0 ms, so the status line is the same on every machine."""
    monkeypatch.setattr(engine_search, "time", SimpleNamespace(perf_counter=lambda: 0.0))


def searching(query: str, *keys: str, run_query, wait):
    async def run_before(pilot: Pilot) -> None:
        pilot.app.query_one("#query").cursor_blink = False
        await run_query(pilot, query)
        await pilot.press(*keys)
        await wait(pilot)

    return run_before


def test_main_screen(snap_compare, tui_index, run_query, wait):
    """The design-card query at 100×30: one hit, facets, the letter at the matched phrase."""
    before = searching(DESIGN, run_query=run_query, wait=wait)
    assert snap_compare(make_app(index=tui_index), terminal_size=(100, 30), run_before=before)


def test_malformed_query(snap_compare, tui_index, run_query, wait):
    """The error under the query bar names the problem and marks the character."""
    before = searching("drug:valium foo:bar", run_query=run_query, wait=wait)
    assert snap_compare(make_app(index=tui_index), terminal_size=(100, 30), run_before=before)


def test_small_terminal(snap_compare, tui_index, run_query, wait):
    """80×24 with the results focused: narrower facets, the footer lists the keys."""
    before = searching("valium", "tab", "tab", run_query=run_query, wait=wait)
    assert snap_compare(make_app(index=tui_index), terminal_size=(80, 24), run_before=before)


def test_help_screen(snap_compare, tui_index, run_query, wait):
    """F1 over the results: keys first, then the query fields."""
    before = searching("valium", "f1", run_query=run_query, wait=wait)
    assert snap_compare(make_app(index=tui_index), terminal_size=(80, 24), run_before=before)
