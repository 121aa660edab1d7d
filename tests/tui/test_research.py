"""The TUI's research keys: t shows the current query's trend, s the decisions most like the
selected one; both as screens over the search, with what the API computes."""

from __future__ import annotations

from imrsearch import api
from imrsearch.tui.app import make_app
from imrsearch.tui.research import ResearchScreen
from imrsearch.tui.widgets import ResultList

QUERY = "class:benzodiazepine"


def shown(app) -> str:
    lines = ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]
    return "\n".join(lines)


async def test_t_shows_the_trend_of_the_current_query(tui_index, run_query, wait):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")  # no query yet: a notice, no screen
        assert not isinstance(app.screen, ResearchScreen)
        await run_query(pilot, QUERY)
        app.query_one(ResultList).focus()
        await pilot.press("t")
        await wait(pilot)
        assert isinstance(app.screen, ResearchScreen)
        text = shown(app)
        with api.open_searcher(tui_index) as searcher:
            trend = searcher.trend(QUERY)
        assert f"Trend by month: {QUERY}" in text
        for point in trend.series[0].points:
            assert point.period in text
        assert f"{trend.total:,} matching decisions" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, ResearchScreen)


async def test_s_shows_the_decisions_most_like_the_selected_one(tui_index, run_query, wait):
    app = make_app(index=tui_index)
    async with app.run_test(size=(140, 40)) as pilot:
        await run_query(pilot, 'drug:valium "no provision to modify"')
        results = app.query_one(ResultList)
        results.focus()
        await pilot.press("s")
        await wait(pilot)
        assert isinstance(app.screen, ResearchScreen)
        hit = results.hits[0]
        with api.open_searcher(tui_index) as searcher:
            found = searcher.similar(hit.path, hit.item, limit=20)
        text = shown(app)
        assert f"Decisions most like {found.source}" in text
        assert "key terms shared" in text
        first = found.result.hits[0]
        assert f"{first.label}, {first.where}" in text
