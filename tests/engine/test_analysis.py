"""`LowercaseWords` is a fused, faster `RegexTokenizer() | LowercaseFilter()`: pinned to it.
`ProseWords` reads the same words and adds sentences and paragraphs to their positions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from imrsearch.engine.schema import PARAGRAPH_STEP, PROSE, SENTENCE_STEP, WORDS

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


# `PROSE` is `WORDS` with sentences and paragraphs in the positions.


def places(text: str) -> list[tuple[str, int, int, int]]:
    """(word, word number, sentence, paragraph) of each word, read back from its position."""
    return [
        (t.text, t.pos % SENTENCE_STEP, t.pos // SENTENCE_STEP, t.pos // PARAGRAPH_STEP)
        for t in PROSE(text, positions=True)
    ]


@settings(max_examples=300, deadline=None)
@given(TEXT | st.text(st.sampled_from("ab. C!? D\n\n'\")e.g"), max_size=60))
def test_prose_has_the_same_words_offsets_and_word_numbers(text: str) -> None:
    prose = [(t.text, t.startchar, t.endchar) for t in PROSE(text, positions=True, chars=True)]
    assert prose == [(w, s, e) for w, _, s, e in tokens(WORDS, text)]
    assert [n for _, n, _, _ in places(text)] == [p for _, p, _, _ in tokens(WORDS, text)]
    sentences = [s for _, _, s, _ in places(text)]
    assert sentences == sorted(sentences)


@pytest.mark.parametrize(
    ("text", "sentence_of"),
    [
        ("Tapering is needed. The opioid", [0, 0, 0, 1, 1]),
        ('as "not recommended." Opioids are', [0, 0, 0, 1, 1]),
        ("is it needed? Yes! Then", [0, 0, 0, 1, 2]),
        # a line break (a wrapped line) is not a sentence end, nor is a lower-case start
        ("not medically\nnecessary. then more", [0, 0, 0, 0, 0]),
        # abbreviations, initials and dotted abbreviations keep the sentence
        ("seen by Dr. Smith vs. Jones, J. Doe, e.g. Norco", [0] * 10),
        ("No. 5 and pg. 80.", [0, 0, 0, 0, 0]),
        # a number may end a sentence
        ("a BMI of 31.5. The plan", [0, 0, 0, 0, 1, 1]),
    ],
)
def test_sentence_ends(text: str, sentence_of: list[int]) -> None:
    found = [s for _, _, s, _ in places(text)]
    first = found[0]
    assert [s - first for s in found] == sentence_of


def test_a_blank_line_is_a_paragraph_break_and_positions_read_back() -> None:
    found = places("One two. Three\n\nFour five. Six")
    assert [(w, n) for w, n, _, _ in found] == [
        ("one", 0), ("two", 1), ("three", 2), ("four", 3), ("five", 4), ("six", 5)
    ]  # fmt: skip
    assert [p for *_, p in found] == [0, 0, 0, 1, 1, 1]
    sentences = [s for _, _, s, _ in found]
    assert len(set(sentences)) == 4 and sentences[2] != sentences[3]


def test_query_tokenizing_is_unchanged() -> None:
    text = "Tapering is needed. The opioid"
    assert [t.text for t in PROSE(text, mode="query")] == [t.text for t in WORDS(text)]
