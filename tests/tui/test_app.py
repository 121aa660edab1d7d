"""The TUI driven as a user would: type, submit, narrow, read, cite, export, make mistakes."""

from __future__ import annotations

import csv
import json
import threading
from itertools import pairwise
from pathlib import Path

import pytest
from textual.widget import Widget

from imrsearch import api
from imrsearch.model import Facet, FacetValue
from imrsearch.render.console import MATCH_STYLE
from imrsearch.tui import backend
from imrsearch.tui.app import EXCERPTS_FILE, make_app
from imrsearch.tui.letter_view import LetterView, breaks
from imrsearch.tui.screens import HelpScreen
from imrsearch.tui.widgets import ErrorBox, FacetPanel, QueryBar, ResultList

DESIGN = 'outcome:upheld drug:valium "no provision to modify"'
SEED = "000_8e1dcabcf776b057.txt"


def screen_text(app, widget: Widget | None = None) -> str:
    """What the terminal shows, as plain text (optionally only inside one widget's borders)."""
    lines = ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]
    if widget is None:
        return "\n".join(lines)
    x, y, width, height = widget.scrollable_content_region
    return "\n".join(line[x : x + width] for line in lines[y : y + height])


async def test_design_card_query_finds_the_seed_letter(tui_index, wait):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.focused is app.query_one(QueryBar)
        await pilot.press(*DESIGN, "enter")
        await wait(pilot)
        hits = app.query_one(ResultList).hits
        assert [(Path(h.path).name, h.item, h.drugs) for h in hits] == [(SEED, 1, ["Valium"])]
        assert app.query_one(ResultList).option_count == 1
        shown = screen_text(app, app.query_one(ResultList))
        assert f"{SEED} item 1 UPHELD Valium" in shown
        assert "no provision to modify" in shown
        assert "1 matching decision in " in screen_text(app, app.query_one("#status"))
    assert app.backend._searcher is None  # closed with the app


async def test_query_given_on_the_command_line_runs_at_start(tui_index, wait):
    app = make_app(index=tui_index, query=DESIGN)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot)
        assert app.query_one(QueryBar).value == DESIGN
        assert app.result is not None and app.result.total == 1


async def test_preview_opens_at_the_highlighted_passage(tui_index, run_query):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, DESIGN)
        view = app.query_one(LetterView)
        paragraph, start, end = view.document.matches[view.current]
        text = view.document.paragraphs[paragraph]
        assert text.plain[start:end] == "no provision to modify"
        assert any((s.start, s.end, s.style) == (start, end, MATCH_STYLE) for s in text.spans)
        assert "there is no provision to modify the current request" in " ".join(
            screen_text(app, view).split()
        )
        assert view.border_title == f"{SEED}, item 1"

        app.query_one(ResultList).focus()
        await pilot.press("enter")
        assert app.focused is view
        first, total = view.current, len(view.document.matches)
        await pilot.press("n")
        assert view.current == (first + 1) % total
        await pilot.press("N", "N")
        assert view.current == (first - 1) % total
        assert view.border_subtitle.endswith(f"; {total} in the letter (n / N)")


async def test_facet_value_narrows_the_query_and_teaches_the_syntax(tui_index, run_query, wait):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium")
        assert app.result.total == 12
        facets = app.query_one(FacetPanel)
        await choose(pilot, wait, "outcome:overturned")
        assert app.query_one(QueryBar).value == "valium outcome:overturned"
        assert [(h.outcome, h.drugs) for h in app.result.hits] == [("overturned", ["Norco"])]

        app.query_one(QueryBar).value = ""
        app.query_one(QueryBar).focus()
        await run_query(pilot, 'class:opioid OR class:"muscle relaxant"')
        count = next(
            v.count
            for f in app.result.facets
            if f.name == "class"
            for v in f.values
            if v.value == "muscle relaxant"
        )
        await choose(pilot, wait, "class:muscle relaxant")
        narrowed_query = '(class:opioid OR class:"muscle relaxant") class:"muscle relaxant"'
        assert app.query_one(QueryBar).value == narrowed_query  # the phrase added once
        # Soma, cyclobenzaprine and the Tabradol kit (a cyclobenzaprine suspension)
        assert app.result.total == count == 3
        assert ["Soma"] in [h.drugs for h in app.result.hits]

        assert "✓ muscle relaxant" in screen_text(app, facets)
        await choose(pilot, wait, "class:muscle relaxant")  # chosen again: taken out again
        assert app.query_one(QueryBar).value == '(class:opioid OR class:"muscle relaxant")'
        assert "✓" not in screen_text(app, facets)


async def choose(pilot, wait, option: str) -> None:
    """Enter on one value of the facet panel, and wait for the search it starts."""
    facets = pilot.app.query_one(FacetPanel)
    facets.focus()
    facets.highlighted = facets.get_option_index(option)
    await pilot.press("enter")
    await wait(pilot)


async def test_a_value_the_query_requires_is_marked_and_choosing_it_widens(
    tui_index, run_query, wait
):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium AND result:upheld")
        facets = app.query_one(FacetPanel)
        shown = screen_text(app, facets)
        assert "✓ upheld" in shown
        assert shown.count("✓") == 1
        (row,) = [line for line in shown.splitlines() if "✓" in line]
        assert row.split()[-2:] == [str(app.result.total), "100%"]  # all of them upheld
        await choose(pilot, wait, "outcome:upheld")
        assert app.query_one(QueryBar).value == "valium"
        assert app.result.total == 12

        await run_query(pilot, "outcome:upheld")  # the value is the whole query
        await choose(pilot, wait, "outcome:upheld")
        assert app.query_one(QueryBar).value == ""
        assert app.result is None
        assert app.query_one(ResultList).option_count == 0
        assert app.query_one(FacetPanel).option_count == 0
        assert "Type a query" in screen_text(app, app.query_one("#status"))


async def test_an_excluded_value_narrows_to_it_all_the_same(tui_index, run_query, wait):
    """`NOT outcome:upheld` once left the query unchanged when upheld was chosen."""
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium OR NOT outcome:upheld")
        (outcome,) = [f for f in app.result.facets if f.name == "outcome"]
        count = next(v.count for v in outcome.values if v.value == "upheld")
        await choose(pilot, wait, "outcome:upheld")
        narrowed_query = "(valium OR NOT outcome:upheld) outcome:upheld"
        assert app.query_one(QueryBar).value == narrowed_query
        assert app.result.total == count
        assert {h.outcome for h in app.result.hits} == {"upheld"}


async def test_a_value_with_quotes_and_markup_narrows_safely(
    tui_index, run_query, wait, monkeypatch
):
    """Facet values come from letters: a quote must not break the query, nor [markup] render."""
    app = make_app(index=tui_index)
    told: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: told.append(message))
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium")
        hostile = [
            Facet("specialty", [FacetValue('"Pain" [b]x[/b]', 3, 1, False)]),
            Facet("outcome", [FacetValue('up"held', 2, 2, False)]),
        ]
        facets = app.query_one(FacetPanel)
        facets.show_facets(hostile, backend.FACETS)
        await pilot.pause()
        assert '"Pain" [b]x[/b]' in screen_text(app, facets)

        await choose(pilot, wait, 'outcome:up"held')  # a keyword keeps its quote: no query says it
        assert app.query_one(QueryBar).value == "valium"
        assert "cannot be written" in told[-1]

        facets.show_facets(hostile, backend.FACETS)
        await pilot.pause()
        await choose(pilot, wait, 'specialty:"Pain" [b]x[/b]')
        assert app.query_one(QueryBar).value == 'valium specialty:"Pain [b]x[/b]"'
        assert not app.query_one(ErrorBox).display


@pytest.mark.parametrize(
    ("query", "message", "where"),
    [
        ("foo:bar", "unknown field 'foo'", "at character 1"),
        ('"unbalanced', 'unbalanced quote: this " is never closed', "at character 1"),
        ("drug:valium (opioid", "'(' is never closed", "at character 13"),
    ],
)
async def test_malformed_query_shows_what_and_where(tui_index, run_query, query, message, where):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium")
        await run_query(pilot, query)
        bar, error = app.query_one(QueryBar), app.query_one(ErrorBox)
        assert error.display and bar.has_class("-error")
        shown = screen_text(app, error)
        assert message in shown
        assert where in shown
        assert app.result.total == 12  # the last good results stay
        await pilot.press("escape")
        assert not error.display and not bar.has_class("-error")

        await run_query(pilot, query)
        assert error.display
        await run_query(pilot, "valium")  # a good query clears the error
        assert not error.display


async def test_export_writes_every_hit_not_only_the_page(
    tui_index, run_query, wait, workdir, monkeypatch
):
    app = make_app(index=tui_index)
    told: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: told.append(message))
    async with app.run_test(size=(120, 40)) as pilot:
        with monkeypatch.context() as patch:
            patch.setattr(backend, "RESULT_LIMIT", 3)
            await run_query(pilot, "valium")
        assert len(app.query_one(ResultList).hits) == 3
        assert "showing the first 3" in screen_text(app, app.query_one("#status"))
        app.query_one(ResultList).focus()
        await pilot.press("e")
        await wait(pilot)
        [csv_file] = workdir.glob("imrsearch-results-*.csv")
        with csv_file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 12
        assert {r["outcome"] for r in rows} == {"upheld", "overturned"}
        await pilot.press("j")
        await wait(pilot)
        [json_file] = workdir.glob("imrsearch-results-*.json")
        data = json.loads(json_file.read_text(encoding="utf-8"))
        assert (data["query"], data["total"], len(data["hits"])) == ("valium", 12, 12)
        assert told[-1] == f"12 hits written to {json_file}"


async def test_cite_copies_an_excerpt_and_appends_it_to_a_file(tui_index, run_query, workdir):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, DESIGN)
        app.query_one(ResultList).focus()
        await pilot.press("c")
        excerpt = app.clipboard
        head = f"{SEED}, item 1 (Valium 10mg, three times a day as needed #90; upheld), p. 1:"
        assert excerpt.startswith(head + "\n")  # the shared citation style, with the page
        assert '"Benzodiazepines should not be abruptly discontinued' in excerpt
        assert 'no provision to modify the current request to allow tapering."' in excerpt
        await pilot.press("c")
        assert (workdir / EXCERPTS_FILE).read_text(encoding="utf-8") == (excerpt + "\n") * 2
        await pilot.press("p")
        assert app.clipboard == str(api.samples_dir().resolve() / SEED)


async def test_history_and_field_completion(tui_index, run_query):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.query_one(QueryBar)
        await run_query(pilot, "valium")
        await run_query(pilot, "norco")
        bar.value = "draft"
        await pilot.press("up")
        assert bar.value == "norco"
        await pilot.press("up", "up")
        assert bar.value == "valium"
        await pilot.press("down", "down")
        assert bar.value == "draft"

        bar.value = ""
        await pilot.press(*"dru")
        await pilot.pause()
        await pilot.press("right")
        assert bar.value == "drug:"
        await pilot.press(*"valium outcome:ov")
        await pilot.pause()
        await pilot.press("right")
        assert bar.value == "drug:valium outcome:overturned"


async def test_escape_cancels_a_search_then_goes_back_then_clears(tui_index, run_query, wait):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium")
        release = threading.Event()
        slow = app.backend.search

        def stuck(text: str, cancel: threading.Event | None = None):
            release.wait(5)
            return slow(text, cancel)

        app.backend.search = stuck
        await pilot.press(*" norco", "enter")
        assert app.searching
        await pilot.press("escape")
        assert not app.searching
        assert "cancelled" in screen_text(app, app.query_one("#status"))
        release.set()
        await wait(pilot)
        assert app.result.query == "valium"  # the late answer was dropped

        app.query_one(ResultList).focus()
        await pilot.press("escape")
        assert app.focused is app.query_one(QueryBar)
        await pilot.press("escape")
        assert app.query_one(QueryBar).value == ""


async def test_help_lists_keys_and_fields(tui_index):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for expected in ("Keys", "Query fields", "next / previous match", "drug:valium"):
            assert expected in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_small_terminal_stays_usable(tui_index, run_query, wait):
    app = make_app(index=tui_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_query(pilot, "valium")
        assert "12 matching decisions" in screen_text(app)
        await pilot.press("tab", "tab", "down", "down", "enter")
        await wait(pilot)
        await pilot.press("n", "n", "N", "z")
        assert app.screen.maximized is app.query_one(LetterView)
        await pilot.press("escape", "question_mark", "escape", "slash")
        assert app.focused is app.query_one(QueryBar)
        await pilot.resize_terminal(60, 16)
        await wait(pilot)
        assert "12 matching decisions" in screen_text(app)


async def test_missing_index_is_an_inline_error(tmp_path, wait):
    app = make_app(index=tmp_path / "nowhere")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        assert app.query_one(ErrorBox).display
        shown = screen_text(app, app.query_one(ErrorBox))
        assert "nowhere" in shown.replace("\n", "")  # the path may wrap at any character


def test_breaks_fit_rows_and_prefer_spaces():
    line = "a letter line that wraps " * 4
    edges = [0, *breaks(line, 20), len(line)]
    rows = [line[a:b] for a, b in pairwise(edges)]
    assert "".join(rows) == line
    assert all(len(row.rstrip()) <= 20 for row in rows)
    assert breaks("x" * 45, 20) == [20, 40]
