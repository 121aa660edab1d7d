"""`LowercaseWords` is a fused, faster `RegexTokenizer() | LowercaseFilter()`: pinned to it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from imrsearch.engine.schema import WORDS

REFERENCE = RegexTokenizer() | LowercaseFilter()
# Letters, digits, punctuation, and characters whose lower case is longer (İ) or differs.
TEXT = st.text(st.sampled_from("abcXYZ 019.,-'\n\tİßΣσÉé\u00a0/"), max_size=60) | st.text()


def tokens(analyzer, text: str, **options) -> list[tuple]:
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True, **options)
    ]


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_same_tokens_positions_and_offsets_as_the_whoosh_pipeline(text: str) -> None:
    assert tokens(WORDS, text) == tokens(REFERENCE, text)


@settings(max_examples=100, deadline=None)
@given(TEXT, st.integers(0, 5), st.integers(0, 50))
def test_same_with_offsets_and_untokenized(text: str, start_pos: int, start_char: int) -> None:
    options = {"start_pos": start_pos, "start_char": start_char}
    assert tokens(WORDS, text, **options) == tokens(REFERENCE, text, **options)
    assert tokens(WORDS, text, tokenize=False) == tokens(REFERENCE, text, tokenize=False)
