"""The facet panel shows every facet the query language declares, research facets included,
with the counts the API gives any other front end; choosing one narrows the query."""

from __future__ import annotations

from imrsearch import api
from imrsearch.tui import backend
from imrsearch.tui.app import make_app
from imrsearch.tui.widgets import FacetPanel, QueryBar

QUERY = "outcome:upheld OR outcome:overturned"
RESEARCH = ("category", "subcategory", "month", "ageband", "state", "topic")


def test_the_panel_facets_are_the_registrys_in_its_order_with_its_titles():
    declared = [(f.name, f.facet) for f in api.QUERY_FIELDS if f.facet]
    assert list(backend.FACETS.items()) == declared
    assert set(RESEARCH) <= set(backend.FACETS)


async def test_research_facets_are_listed_with_the_apis_counts(tui_index, run_query):
    with api.open_searcher(tui_index) as searcher:
        expected = searcher.search(
            QUERY, limit=1, facets=api.FACETS, facet_limit=backend.FACET_LIMIT
        ).facets
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, QUERY)
        panel = app.query_one(FacetPanel)
        shown = {key: value.count for key, (_, value) in panel.choices.items()}
        listed = {f"{f.name}:{v.value}": v.count for f in expected for v in f.values}
        assert shown == listed
        for name in RESEARCH:
            assert any(key.startswith(f"{name}:") for key in shown), name
        titles = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert "Service category" in "".join(titles)


async def test_a_category_value_narrows_the_query(tui_index, run_query, wait):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium")
        panel = app.query_one(FacetPanel)
        key, (_, value) = next(
            (k, c) for k, c in panel.choices.items() if k.startswith("category:")
        )
        panel.focus()
        panel.highlighted = panel.get_option_index(key)
        await pilot.press("enter")
        await wait(pilot)
        text = app.query_one(QueryBar).value
        assert text.startswith("valium category:")
        assert app.result is not None and app.result.total == value.count
        assert app.result.total == api.search(text, tui_index).total
