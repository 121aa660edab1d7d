"""Snippets on their own (no index): the linear span selection and phrase search agree with
their brute-force definitions, and matches are spans beside the text, never characters in it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imrsearch.engine.snippets import densest, lead, make_snippet
from imrsearch.highlight import merge, phrase_starts
from imrsearch.model import Highlight, Snippet


def words(*found: str, phrases: tuple[tuple[str, ...], ...] = ()) -> Highlight:
    return Highlight(frozenset(found), frozenset(phrases))


def densest_brute_force(spans: list[tuple[int, int]], window: int) -> int:
    """The first definition: count the spans starting inside the window at each span."""
    best, best_count = spans[0][0], 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, _ in spans[i:] if s < start + window)
        if count > best_count:
            best, best_count = start, count
    return best


def phrase_starts_brute_force(words: list[str], phrase: list[str]) -> list[int]:
    size = len(phrase)
    return [i for i in range(len(words) - size + 1) if words[i : i + size] == phrase]


SPANS = st.lists(
    st.tuples(st.integers(0, 2000), st.integers(1, 40)).map(lambda p: (p[0], p[0] + p[1])),
    min_size=1,
    max_size=60,
).map(lambda spans: merge(sorted(spans)))


@settings(max_examples=500)
@given(spans=SPANS, window=st.integers(0, 600))
def test_densest_matches_the_brute_force_definition(spans, window):
    assert densest(spans, window) == densest_brute_force(spans, window)


@settings(max_examples=500)
@given(
    words=st.lists(st.sampled_from("aab"), max_size=40),
    phrase=st.lists(st.sampled_from("ab"), min_size=1, max_size=5),
)
def test_phrase_starts_match_the_brute_force_definition(words, phrase):
    """A two-letter vocabulary makes overlapping and near-miss runs common."""
    assert phrase_starts(words, phrase) == phrase_starts_brute_force(words, phrase)


def shown(snippet: Snippet) -> list[str]:
    return [snippet.text[a:b] for a, b in snippet.spans]


def test_a_phrase_is_one_span_and_its_words_elsewhere_are_not_marked():
    text = "There is no provision to modify the request; to be clear, no."
    highlight = words(phrases=(("no", "provision", "to", "modify"),))
    snippet = make_snippet(text, highlight)
    assert snippet is not None
    assert shown(snippet) == ["no provision to modify"]


def test_spans_point_into_a_cut_snippet():
    """Past the window the text is cut and prefixed with an ellipsis; spans follow the cut."""
    text = "filler " * 200 + "the Valium was tapered " + "filler " * 200
    snippet = make_snippet(text, words("valium", "tapered"), window=80)
    assert snippet is not None
    assert snippet.text.startswith("… ") and snippet.text.endswith(" …")
    assert shown(snippet) == ["Valium", "tapered"]
    assert len(snippet.text) < 100


def test_control_characters_and_brackets_in_the_text_are_only_text():
    """\\x02 and \\x03 (the old in-band markers; PDFium's soft hyphen is \\x02) and brackets stay
    characters of the text: the only marked word is the one the query matched."""
    text = "A \x02faked\x03 highlight, [bracketed] words and one real match: tapering."
    snippet = make_snippet(text, words("tapering"))
    assert snippet is not None
    assert snippet.text == text
    assert shown(snippet) == ["tapering"]


def test_no_match_is_none_and_a_lead_marks_nothing():
    assert make_snippet("nothing to see here", words("valium")) is None
    assert lead("A short rationale.") == Snippet("A short rationale.")
    long = lead("word " * 200)
    assert long.spans == () and long.text.endswith(" …") and len(long.text) < 330


@pytest.mark.parametrize("size", [2_000, 20_000])
def test_every_word_matching_marks_every_word_in_the_window(size):
    text = " ".join(["medically"] * size)
    snippet = make_snippet(text, words("medically"))
    assert snippet is not None
    assert set(shown(snippet)) == {"medically"}
    assert len(snippet.spans) == len(snippet.text.split()) - 1  # all but the closing "…"
