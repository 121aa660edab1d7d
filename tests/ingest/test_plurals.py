"""A word's singular and plural, as an unquoted query word reaches them (`vocab.plurals`)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from imrsearch.vocab.plurals import number_forms

# (singular, plural) as English writes them, the letters' vocabulary first.
PAIRS = [
    ("opioid", "opioids"),
    ("flag", "flags"),
    ("therapy", "therapies"),
    ("study", "studies"),
    ("criterion", "criteria"),
    ("diagnosis", "diagnoses"),
    ("analysis", "analyses"),
    ("process", "processes"),
    ("box", "boxes"),
    ("mri", "mris"),
    ("nsaid", "nsaids"),
    ("vertebra", "vertebrae"),
    ("bacterium", "bacteria"),
    ("stimulus", "stimuli"),
    ("index", "indices"),
    ("knife", "knives"),
    ("nerve", "nerves"),
    ("day", "days"),
    ("woman", "women"),
    ("tooth", "teeth"),
    ("ganglion", "ganglia"),
]


@pytest.mark.parametrize(("singular", "plural"), PAIRS, ids=[s for s, _ in PAIRS])
def test_each_form_reaches_the_other(singular: str, plural: str) -> None:
    assert {singular, plural} <= number_forms(singular)
    assert {singular, plural} <= number_forms(plural)


@pytest.mark.parametrize(
    ("word", "not_a_form"),
    [
        ("no", "nos"),  # "no provision" must not find "Nos."
        ("its", "it"),
        ("does", "do"),
        ("news", "new"),
        ("uses", "us"),
        ("status", "statu"),
        ("medication", "medical"),  # number only: no stemming
        ("use", "useless"),  # Whoosh's Variations would add this
        ("tapering", "taper"),  # other inflections are asked for with taper!
    ],
)
def test_words_that_are_not_plurals_keep_apart(word: str, not_a_form: str) -> None:
    assert not_a_form not in number_forms(word)


@pytest.mark.parametrize("word", ["80", "10mg", "x", "pt", "e.g", "co2"])
def test_numbers_codes_and_short_words_are_only_themselves(word: str) -> None:
    assert number_forms(word) == {word}


@example("ies")  # its singular would be "y", whose plural once read past its start
@given(st.text(min_size=1, max_size=12))
def test_the_word_itself_is_always_a_form(word: str) -> None:
    forms = number_forms(word)
    assert word in forms
    assert len(forms) <= 8  # a few spellings, never a scan of the vocabulary
