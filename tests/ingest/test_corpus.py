"""Every real letter parses to the values written down by reading it (tests/data/expected)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imrsearch.ingest.archive import load_letter
from tests.ingest.expected import (
    CORPUS,
    HEADER_FIELDS,
    SAMPLES,
    corpus_expected,
    seeds_expected,
)

SEEDS = SAMPLES


def check_letter(path: Path, expected: dict) -> None:
    letter, _ = load_letter(path)
    data = letter.to_dict()
    assert data["format"] == "D"
    for name in HEADER_FIELDS:
        assert data[name] == expected[name], name
    assert letter.reviewer.states == expected["states"]
    assert letter.reviewer.specialties == expected["specialties"]
    assert letter.patient.age == expected["age"]
    assert letter.patient.sex == expected["sex"]
    got = [(d.service, d.outcome) for d in letter.decisions]
    want = [(d["service"], d["outcome"]) for d in expected["decisions"]]
    assert got == want
    for decision, want_decision in zip(letter.decisions, expected["decisions"], strict=True):
        assert decision.original_request == want_decision.get("original_request", "")
        assert decision.authorized_request == want_decision.get("authorized_request", "")
        assert decision.eligible_request == want_decision.get("eligible_request", "")
        if decision.eligible_request:  # a partial authorisation: the item is what IMR decided
            assert decision.service == decision.eligible_request
        assert decision.rationale, f"item {decision.number} has no rationale"
        assert decision.maximus_guideline
        assert "Decision rationale" not in decision.rationale
        assert "Claims Administrator guideline" not in decision.maximus_guideline
    assert not letter.warnings


@pytest.mark.parametrize("case", sorted(corpus_expected))
def test_corpus_letter(case: str) -> None:
    check_letter(CORPUS / f"{case}.pdf", corpus_expected[case])


def test_corpus_is_complete() -> None:
    """The expectations cover the whole corpus, so a missing letter cannot pass unnoticed."""
    if CORPUS.is_dir():
        assert {p.stem for p in CORPUS.glob("*.pdf")} == set(corpus_expected)
    assert len(corpus_expected) == 132
    assert sum(len(v["decisions"]) for v in corpus_expected.values()) == 284
    decisions = [d for v in corpus_expected.values() for d in v["decisions"]]
    partial = [d for d in decisions if "original_request" in d]
    assert len(partial) == 27
    assert all(d["authorized_request"] and d["eligible_request"] for d in partial)


@pytest.mark.parametrize("name", sorted(seeds_expected))
def test_seed_letter(name: str) -> None:
    check_letter(SEEDS / name, seeds_expected[name])


@pytest.mark.parametrize("pdf", sorted(p.name for p in SEEDS.glob("*.pdf")))
def test_bundled_pdf_samples(pdf: str) -> None:
    """The PDFs bundled in samples/ are corpus letters: they parse the same from there."""
    check_letter(SEEDS / pdf, corpus_expected[Path(pdf).stem])
