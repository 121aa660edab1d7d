"""One highlighter for every view: what the engine says a query looks for, and the words each
view marks from it — the snippet, `show --query` and the TUI preview mark the same words."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from imrsearch import api
from imrsearch.engine.schema import WORDS
from imrsearch.highlight import spans, tokens
from imrsearch.model import Highlight, Letter
from imrsearch.render.console import MATCH_STYLE, print_letter
from imrsearch.tui.document import build_document

VALIUM_CASE = "000_8e1dcabcf776b057.txt"  # a sample letter whose Valium item says "diazepam"


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("abcXYZ 019.,-'\n\tİßΣσÉé/"), max_size=60) | st.text())
def test_the_shared_tokenizer_reads_words_as_the_index_does(text):
    index = [(t.text, t.startchar, t.endchar) for t in WORDS(text, chars=True)]
    assert tokens(text) == index


@pytest.fixture(scope="module")
def opened(samples_index):
    with api.open_searcher(samples_index) as index:
        yield index


def test_negated_parts_are_not_highlighted_and_phrases_stay_phrases(opened):
    highlight = opened.highlight('"no provision to modify" modif* NOT opioid')
    assert ("no", "provision", "to", "modify") in highlight.phrases
    assert "modify" in highlight.words and "opioid" not in highlight.words
    assert not spans("to be clear", highlight)
    text = "there is no  provision to\nmodify it"
    assert spans(text, highlight) == [(text.index("no"), text.index(" it"))]


def test_a_drug_highlights_every_name_of_it(opened):
    highlight = opened.highlight("drug:valium")
    assert {"valium", "diazepam"} <= highlight.words


def test_fuzzy_and_wildcard_terms_become_the_index_words_they_match(opened):
    assert "opioid" in opened.highlight("opiod~").words
    assert {w for w in opened.highlight("taper*").words} >= {"tapering"}


def marked_in_snippet(hit) -> set[str]:
    return {hit.snippet.text[a:b].lower() for a, b in hit.snippet.spans}


def marked_by_show(letter: Letter, highlight: Highlight) -> set[str]:
    console = Console(record=True, width=200, file=io.StringIO(), color_system="truecolor")
    print_letter(console, letter, highlight=highlight)
    found: set[str] = set()
    for line in console._record_buffer:
        if line.style is not None and line.style == console.get_style(MATCH_STYLE):
            found.add(line.text.lower())
    return found


def marked_in_preview(letter: Letter, highlight: Highlight) -> set[str]:
    doc = build_document(letter, highlight)
    return {doc.paragraphs[p].plain[a:b].lower() for p, a, b in doc.matches}


@pytest.mark.parametrize("query", ["opiod~", "drug:valium", "taper*", '"no provision to modify"'])
def test_snippet_show_and_preview_mark_the_same_words(opened, query):
    result = opened.search(query, limit=None)
    with_marks = 0
    for hit in result.hits[:8]:
        letter = opened.letter(hit.path)
        snippet = marked_in_snippet(hit)  # empty when the match is in the summary or guideline
        shown = marked_by_show(letter, result.highlight)
        preview = marked_in_preview(letter, result.highlight)
        assert shown, (query, hit.path)
        # the snippet is a window of the letter: everything it marks, the letter views mark
        assert snippet <= shown and snippet <= preview, (query, snippet, shown, preview)
        # and the two letter views mark the same words
        assert shown == preview, (query, shown ^ preview)
        with_marks += bool(snippet)
    assert with_marks, query


def test_a_drug_query_marks_the_generic_name_in_the_preview(opened):
    letter = opened.letter(VALIUM_CASE)
    highlight = opened.highlight("drug:valium")
    preview = marked_in_preview(letter, highlight)
    assert "diazepam" in preview or "valium" in preview
    assert re.search(r"diazepam", letter.text, re.I) is None or "diazepam" in preview
