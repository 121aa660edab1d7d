"""Summary clauses reach decisions through their letter, in every boolean position."""

from __future__ import annotations

import re

import pytest

from imrsearch import api


def _decisions(searcher, text: str) -> set[tuple[str, int]]:
    return {(h.path, h.item) for h in searcher.search(text, limit=None).hits}


def _expected(parsed_samples, word: str) -> set[tuple[str, int]]:
    """Decisions of the letters whose summary has `word`, computed from the parsed letters."""
    return {
        (letter.path, d.number)
        for letter in parsed_samples
        if re.search(rf"\b{word}\b", letter.summary, re.IGNORECASE)
        for d in letter.decisions
    }


@pytest.mark.parametrize("word", ["almonds", "pain", "shoulder"])
def test_summary_word_matches_every_decision_of_its_letters(
    samples_index, parsed_samples, word
) -> None:
    with api.open_searcher(samples_index) as searcher:
        # quoted: the word exactly (unquoted it would also find its plural)
        exact = _decisions(searcher, f'summary:"{word}"')
        got = {(s.rsplit("/", 1)[-1], n) for s, n in exact}
    want = {(s.rsplit("/", 1)[-1], n) for s, n in _expected(parsed_samples, word)}
    assert got == want and want


@pytest.mark.parametrize(
    ("base", "other"),
    [
        ("outcome:upheld", "summary:pain"),
        ("outcome:upheld", "summary:almonds"),
        ("class:opioid", 'summary:"low back"'),
        ("class:opioid", '"not medically necessary"'),  # unfielded: summary among the fields
    ],
)
def test_not_and_and_agree_with_set_arithmetic(samples_index, base, other) -> None:
    with api.open_searcher(samples_index) as searcher:
        a, b = _decisions(searcher, base), _decisions(searcher, other)
        assert _decisions(searcher, f"{base} NOT {other}") == a - b
        assert _decisions(searcher, f"{base} AND {other}") == a & b
        assert _decisions(searcher, f"{base} OR {other}") == a | b
