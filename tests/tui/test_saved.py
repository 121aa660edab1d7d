"""Saved searches in the TUI: `a` saves the current query under a name typed in a prompt, `o`
lists the index's saved searches and runs the one chosen; both through the same file as
`imrsearch saved`, refusals told in a notification that is never markup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.tui.app import make_app
from imrsearch.tui.saved import SavedPicker, SaveSearchScreen
from imrsearch.tui.widgets import QueryBar, ResultList

QUERY = 'drug:valium "no provision to modify"'


@pytest.fixture
def index(tui_index: Path, tmp_path: Path) -> Path:
    """A copy of the samples' index of its own: saving must not leak into other tests."""
    return Path(shutil.copytree(tui_index, tmp_path / "idx"))


def notes(app) -> list[tuple[str, str, bool]]:
    return [(n.title, n.message, n.markup) for n in app._notifications]


def shown(app) -> str:
    return "\n".join(
        "".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()
    )


async def test_a_saves_the_current_query_under_the_name_typed(index, run_query, wait):
    app = make_app(index=index)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(ResultList).focus()
        await pilot.press("a")  # nothing searched yet: nothing to save
        assert not isinstance(app.screen, SaveSearchScreen)
        assert notes(app)[-1][1] == "Run a query first."

        await run_query(pilot, QUERY)
        app.query_one(ResultList).focus()
        await pilot.press("a")
        assert isinstance(app.screen, SaveSearchScreen)
        assert QUERY in shown(app)
        await pilot.press(*"valium taper", "enter")
        await wait(pilot)
        assert not isinstance(app.screen, SaveSearchScreen)
    (saved,) = api.saved_searches(index)
    assert (saved.name, saved.query, saved.options) == ("valium taper", QUERY, {})
    assert ("Saved search kept", f"valium taper: {QUERY}", False) in notes(app)


async def test_a_refused_name_is_told_as_plain_text_and_the_prompt_stays(index, run_query, wait):
    api.save_search("[b]taken[/b]", "valium", index=index)
    app = make_app(index=index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, QUERY)
        app.query_one(ResultList).focus()
        await pilot.press("a")
        await pilot.press(*"[b]taken[/b]", "enter")
        await wait(pilot)
        assert isinstance(app.screen, SaveSearchScreen)  # still open, to choose another name
        title, message, markup = notes(app)[-1]
        assert title == "Not saved"
        assert "'[b]taken[/b]'" in message and not markup
        await pilot.press("escape")
        assert not isinstance(app.screen, SaveSearchScreen)
    assert [(s.name, s.query) for s in api.saved_searches(index)] == [("[b]taken[/b]", "valium")]


async def test_o_lists_the_saved_searches_and_runs_the_one_chosen(index, wait):
    api.save_search("opioids", "class:opioid", index=index)
    api.save_search("taper", QUERY, {"sort": "date"}, index=index)
    app = make_app(index=index)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(ResultList).focus()
        await pilot.press("o")
        await wait(pilot)
        assert isinstance(app.screen, SavedPicker)
        text = shown(app)
        assert "opioids  class:opioid" in text
        assert f"taper  {QUERY}" in text
        await pilot.press("down", "enter")
        await wait(pilot)
        assert not isinstance(app.screen, SavedPicker)
        assert app.query_one(QueryBar).value == QUERY
        assert app.result is not None and app.result.query == QUERY
        assert app.result.total == api.search(QUERY, index).total


async def test_o_with_none_saved_or_a_damaged_file_says_so(index, wait):
    app = make_app(index=index)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(ResultList).focus()
        await pilot.press("o")
        await wait(pilot)
        assert "No saved searches yet" in shown(app)
        await pilot.press("escape")

        (index / "saved-searches.json").write_text("{not json", encoding="utf-8")
        await pilot.press("o")
        await wait(pilot)
        assert "could not be read" in shown(app)
        title, message, markup = notes(app)[-1]
        assert title == "Could not read the saved searches"
        assert "saved-searches.json" in message and not markup
        await pilot.press("escape")
        assert not isinstance(app.screen, SavedPicker)
