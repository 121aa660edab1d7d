"""The letter pane says and cites what is on screen: after `n` has moved into another item or
part of the letter, the title, the match counter and `c` follow it, not the selected result.

Expected counts come from the parsed letter: the query's phrase counted in each part of it.
"""

from __future__ import annotations

import re

from imrsearch import api
from imrsearch.model import Decision, Letter
from imrsearch.tui import backend
from imrsearch.tui.app import make_app
from imrsearch.tui.letter_view import LetterView
from imrsearch.tui.widgets import FacetPanel, ResultList
from tests.tui.test_app import screen_text

CASE = "CM17-0019120"
PHRASE = "physical therapy"


def count(text: str) -> int:
    """How often PHRASE stands in `text` (any break or punctuation between its words)."""
    pattern = r"\b" + r"\W+".join(PHRASE.split()) + r"\b"
    return len(re.findall(pattern, text, re.I))


def shown_parts(d: Decision) -> list[str]:
    """An item's texts as the preview lays them out."""
    return [
        d.service,
        ", ".join(x.name for x in d.drugs),
        d.original_request,
        d.authorized_request,
        d.ca_guideline,
        d.maximus_guideline,
        d.rationale,
    ]


def letter_named(letters: list[Letter], case: str) -> Letter:
    return next(lt for lt in letters if lt.case_number == case)


def first_line(letter: Letter, part: str, d: Decision | None = None) -> re.Pattern[str]:
    """A citation's first line in the shared style (`api.cite`): where in the letter (for an
    item, what was asked and decided), when, and the page when it is known."""
    where = f"{part} ({d.service}; {d.outcome})" if d else part
    decided = letter.decision_date.isoformat()
    return re.compile(re.escape(f"{CASE}, {where}, decided {decided}") + r"(, pp?\. [\d-]+)?:")


def whole_sentences(quote: str, source: str) -> None:
    """The quotation is uncut and stands in `source` as it is, from a sentence's start."""
    text = quote.strip('"')
    assert "…" not in text
    flat = " ".join(source.split())
    assert text in flat, (text, flat[:300])
    at = flat.index(text)
    assert at == 0 or flat[:at].rstrip()[-1] in ".?!:"


async def test_counter_title_and_citation_follow_the_match_on_screen(
    tui_index, run_query, wait, parsed_samples
):
    letter = letter_named(parsed_samples, CASE)
    per_item = {d.number: sum(map(count, shown_parts(d))) for d in letter.decisions}
    in_summary = count(letter.summary)
    total = in_summary + sum(per_item.values())
    last = letter.decisions[-1]
    assert per_item[last.number] == 1 < total  # one match in the item, more in the letter
    assert in_summary and per_item[1] > 1

    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, f'case:{CASE} "{PHRASE}"')
        results = app.query_one(ResultList)
        results.focus()
        results.highlighted = [h.item for h in results.hits].index(last.number)
        await wait(pilot)
        view = app.query_one(LetterView)
        assert len(view.document.matches) == total
        assert str(view.border_title) == f"{CASE}, item {last.number}"
        assert view.border_subtitle == (
            f"match 1 of 1 in item {last.number}; {total} in the letter (n / N)"
        )

        await pilot.press("n")  # past the last match: round to the first, in the summary
        assert str(view.border_title) == f"{CASE}, clinical case summary"
        assert view.border_subtitle.startswith(f"match 1 of {in_summary} in clinical case summary;")
        await pilot.press("c")
        head, quote, source = app.clipboard.splitlines()
        assert first_line(letter, "clinical case summary").fullmatch(head), head
        assert count(quote)
        whole_sentences(quote, letter.summary)
        assert source == f"Source: {letter.path}"

        await pilot.press(*["n"] * in_summary)  # into item 1
        first = letter.decisions[0]
        assert str(view.border_title) == f"{CASE}, item 1"
        assert view.border_subtitle.startswith(f"match 1 of {per_item[1]} in item 1;")
        await pilot.press("c")
        head, quote, _ = app.clipboard.splitlines()
        assert first_line(letter, "item 1", first).fullmatch(head), head
        assert count(quote)
        whole_sentences(quote, " ".join(filter(None, shown_parts(first))))
        assert app.hit is not None and app.hit.item == last.number  # the result stays put

        await pilot.press("N")  # back into the summary, at its last match
        assert view.border_subtitle.startswith(
            f"match {in_summary} of {in_summary} in clinical case summary;"
        )


async def test_the_preview_lists_a_partial_authorisations_requests(
    tui_index, run_query, wait, parsed_samples
):
    letter, d = next((lt, d) for lt in parsed_samples for d in lt.decisions if d.authorized_request)
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, f"case:{letter.case_number}")
        results = app.query_one(ResultList)
        results.highlighted = [h.item for h in results.hits].index(d.number)
        await wait(pilot)
        assert (
            str(app.query_one(LetterView).border_title) == f"{letter.case_number}, item {d.number}"
        )
        paragraphs = [p.plain for p in app.query_one(LetterView).document.paragraphs]
        assert f"Original request: {d.original_request}" in paragraphs
        assert f"Authorized: {d.authorized_request}" in paragraphs
        assert any(p.startswith(f"Item {d.number}: {d.eligible_request}  ") for p in paragraphs)


async def test_facets_show_counts_uphold_rates_and_where_they_can_overlap(tui_index, run_query):
    overlap = {f.name: f.overlap for f in api.QUERY_FIELDS if f.facet}
    assert any(overlap.values()) and not all(overlap.values())
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 90)) as pilot:
        await run_query(pilot, "valium")
        panel = app.query_one(FacetPanel)
        lines = [line.strip() for line in screen_text(app, panel).splitlines() if line.strip()]
        shown = iter(lines)
        for facet in app.result.facets:
            if not facet.values:
                continue
            assert next(shown) == backend.FACETS[facet.name] + (" (top)" if facet.truncated else "")
            if overlap[facet.name]:
                assert next(shown) == "can overlap"
            for value in facet.values:
                row = next(shown).split()
                assert row[-2:] == [str(value.count), f"{value.uphold_rate:.0%}"]
        assert panel.border_subtitle == "count · % upheld"
