"""Snippets on their own (no index): the linear span selection and phrase search agree with
their brute-force definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from imrsearch.engine.snippets import _merge, densest, phrase_starts


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
).map(lambda spans: _merge(sorted(spans)))


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
