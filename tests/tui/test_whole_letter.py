"""A letter with no parsed decision in the TUI: listed, counted and previewed as a whole letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.tui.app import make_app
from imrsearch.tui.letter_view import LetterView
from imrsearch.tui.widgets import ResultList
from tests.engine.test_whole_letters import MEMO_PHRASE, make_archive
from tests.tui.test_app import screen_text


@pytest.fixture(scope="module")
def whole_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = make_archive(tmp_path_factory.mktemp("whole-tui") / "archive")
    index = tmp_path_factory.mktemp("whole-tui-index")
    api.build(archive, index, workers=1)
    return index


async def test_a_whole_letter_is_listed_counted_and_previewed(whole_index, run_query) -> None:
    app = make_app(index=whole_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, f'"{MEMO_PHRASE}"')
        [hit] = app.query_one(ResultList).hits
        assert hit.item is None
        listed = screen_text(app, app.query_one(ResultList))
        assert "CM99-0000001 whole letter —  no items found" in listed
        status = screen_text(app, app.query_one("#status"))
        assert "1 match: 0 decisions and 1 whole letter (no items found) in " in status
        view = app.query_one(LetterView)
        assert view.border_title == "CM99-0000001, whole letter"
        paragraph, start, end = view.document.matches[view.current]
        assert view.document.paragraphs[paragraph].plain[start:end] == MEMO_PHRASE
