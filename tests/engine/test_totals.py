"""Totals of ordinary queries on the samples, against set arithmetic over the parsed letters.

A total is quoted: it counts the matching decisions, plus each matching letter that has no
parsed decision as one hit. Every expected set here is computed from the letters as the parser
reads them, never from the index, so a change in how the index counts shows up here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from imrsearch import api
from imrsearch.highlight import find
from imrsearch.model import Decision, Highlight, Letter

Key = tuple[str, "int | None"]
OnDecision = Callable[[Letter, Decision], bool]
OnLetter = Callable[[Letter], bool]


def never(letter: Letter) -> bool:
    return False


def has_words(text: str, *words: str) -> bool:
    """`text` holds these words in a row, read as the index reads words."""
    wanted = (
        Highlight(phrases=frozenset({words}))
        if len(words) > 1
        else Highlight(words=frozenset(words))
    )
    return bool(find(text, wanted).spans)


def decision_text(d: Decision) -> list[str]:
    return [d.service, d.rationale, f"{d.ca_guideline}\n{d.maximus_guideline}"]


def words_anywhere(*words: str) -> tuple[OnDecision, OnLetter]:
    """Unfielded words: a decision's fields or its letter's summary; a letter without
    decisions, its whole text."""
    return (
        lambda lt, d: any(has_words(t, *words) for t in [*decision_text(d), lt.summary]),
        lambda lt: has_words(lt.text, *words),
    )


def any_form(*forms: str) -> tuple[OnDecision, OnLetter]:
    """An unquoted word: it finds its singular and its plural."""
    each = [words_anywhere(form) for form in forms]
    return (
        lambda lt, d: any(on_decision(lt, d) for on_decision, _ in each),
        lambda lt: any(on_letter(lt) for _, on_letter in each),
    )


def same(on_letter: OnLetter) -> tuple[OnDecision, OnLetter]:
    """A letter-level field: every decision of a letter that has it, and the letter itself when
    it has no decisions."""
    return (lambda lt, d: on_letter(lt), on_letter)


def expected(letters: list[Letter], on_decision: OnDecision, on_letter: OnLetter) -> set[Key]:
    found: set[Key] = {
        (lt.path, d.number) for lt in letters for d in lt.decisions if on_decision(lt, d)
    }
    found |= {(lt.path, None) for lt in letters if not lt.decisions and on_letter(lt)}
    return found


def everything(letters: list[Letter]) -> set[Key]:
    return expected(letters, lambda lt, d: True, lambda lt: True)


def decided_in(year: int) -> OnLetter:
    return lambda lt: lt.decision_date is not None and lt.decision_date.year == year


QUERIES: dict[str, tuple[OnDecision, OnLetter]] = {
    "outcome:upheld": (lambda lt, d: d.outcome == "upheld", never),
    "outcome:overturned": (lambda lt, d: d.outcome == "overturned", never),
    "drug:valium": (lambda lt, d: any(x.generic == "diazepam" for x in d.drugs), never),
    "source:odg": (lambda lt, d: any(c.source == "odg" for c in d.guidelines), never),
    "format:d": same(lambda lt: lt.format == "D"),
    "case:CM16-0248698": same(lambda lt: lt.case_number == "CM16-0248698"),
    "decided:2017": same(decided_in(2017)),
    "year:2016": same(decided_in(2016)),
    "injured:2016-10": same(
        lambda lt: (
            lt.date_of_injury is not None
            and date(2016, 10, 1) <= lt.date_of_injury <= date(2016, 10, 31)
        )
    ),
    "sex:female": same(lambda lt: lt.patient.sex == "female"),
    "age:>60": same(lambda lt: lt.patient.age is not None and lt.patient.age > 60),
    "state:texas": same(lambda lt: "Texas" in lt.reviewer.states),
    'specialty:"pain management"': same(lambda lt: "Pain Management" in lt.reviewer.specialties),
    '"not medically necessary"': words_anywhere("not", "medically", "necessary"),
    "opioids": any_form("opioid", "opioids"),
    "shoulder": any_form("shoulder", "shoulders"),
}


def hits(searcher: api.OpenIndex, text: str) -> tuple[int, set[Key]]:
    result = searcher.search(text, limit=None)
    found = {(h.path, h.item) for h in result.hits}
    assert len(found) == len(result.hits)  # never one decision twice
    return result.total, found


@pytest.mark.parametrize("text", list(QUERIES))
def test_totals_are_the_parsed_letters_set_arithmetic(samples_index, parsed_samples, text) -> None:
    want = expected(parsed_samples, *QUERIES[text])
    with api.open_searcher(samples_index) as searcher:
        total, found = hits(searcher, text)
    assert want, "each query must match something, or it tests nothing"
    assert found == want
    assert total == len(want)


@pytest.mark.parametrize(
    ("a", "b"), [("outcome:upheld", "shoulder"), ("sex:female", '"not medically necessary"')]
)
def test_boolean_totals_are_set_arithmetic(samples_index, parsed_samples, a, b) -> None:
    first, second = (expected(parsed_samples, *QUERIES[q]) for q in (a, b))
    with api.open_searcher(samples_index) as searcher:
        assert hits(searcher, f"{a} AND {b}")[1] == first & second
        assert hits(searcher, f"{a} OR {b}")[1] == first | second
        assert hits(searcher, f"{a} NOT {b}")[1] == first - second
        assert hits(searcher, f"NOT {a}")[1] == everything(parsed_samples) - first
