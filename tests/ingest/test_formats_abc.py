"""Formats A, B and C: every test letter parses to what expected.json says, each layout is
detected as itself only, and a letter cut short still comes back, flagged.

The letters in tests/data/formats were written from docs/FORMATS.md with the seeds' language and
carry the PDF-text artifacts (blank lines, form feeds, split dates, redaction gaps).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imrsearch.ingest import format_a, format_b, format_c, format_d
from imrsearch.ingest.normalize import normalize
from imrsearch.ingest.parser import parse_text
from imrsearch.model import OVERTURNED, UPHELD
from tests.ingest.expected import HEADER_FIELDS

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"
SEEDS = Path(__file__).resolve().parents[2] / "samples"  # the seed letters, copied
EXPECTED: dict[str, dict] = json.loads((DATA / "expected.json").read_text())
LAYOUTS = {"A": format_a, "B": format_b, "C": format_c, "D": format_d}
LETTER_FIELDS = ("format", *HEADER_FIELDS, "reviewer", "patient")
# Where each layout's header ends: the letter is cut there for the truncation tests.
HEADER_END = {
    "format_a_1_single_item.txt": "Dear",
    "format_b_1_single_issue.txt": "ISSUE AT DISPUTE",
    "format_c_1_single_item.txt": "HOW THE IMR",
}


def _letter_text(name: str) -> str:
    return (DATA / name).read_text()


def _parsed(name: str) -> dict:
    return parse_text(_letter_text(name), name).to_dict()


def test_every_letter_has_an_expectation() -> None:
    letters = sorted(p.name for p in DATA.glob("format_*.txt"))
    assert letters == sorted(EXPECTED)
    for layout in "abc":
        assert sum(name.startswith(f"format_{layout}_") for name in letters) >= 3


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_letter_fields(name: str) -> None:
    got, want = _parsed(name), EXPECTED[name]
    for field in LETTER_FIELDS:
        assert got[field] == want[field], field
    assert got["summary"].startswith(want["summary_start"])
    assert got["summary"].endswith(want["summary_end"])
    assert got["warnings"] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_letter_decisions(name: str) -> None:
    got, want = _parsed(name)["decisions"], EXPECTED[name]["decisions"]
    assert [(d["service"], d["outcome"]) for d in got] == [
        (d["service"], d["outcome"]) for d in want
    ]
    for number, (decision, expected) in enumerate(zip(got, want, strict=True), start=1):
        assert decision["number"] == number
        assert decision["ca_guideline"] == expected["ca_guideline"]
        assert decision["maximus_guideline"] == expected["maximus_guideline"]
        assert decision["rationale"].startswith(expected["rationale_start"])
        assert decision["rationale"].endswith(expected["rationale_end"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detected_as_its_own_format_only(name: str) -> None:
    text = normalize(_letter_text(name))
    detected = [key for key, layout in LAYOUTS.items() if layout.detect(text)]
    assert detected == [EXPECTED[name]["format"]]


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")))
def test_format_d_seed_is_still_d(seed: Path) -> None:
    text = seed.read_text()
    detected = [key for key, layout in LAYOUTS.items() if layout.detect(normalize(text))]
    assert detected == ["D"]
    assert parse_text(text, seed.name).format == "D"


@pytest.mark.parametrize("name", sorted(HEADER_END))
def test_letter_cut_after_its_header(name: str) -> None:
    text = _letter_text(name)
    letter = parse_text(text[: text.index(HEADER_END[name])], name)
    assert letter.format == EXPECTED[name]["format"]
    assert letter.case_number == EXPECTED[name]["case_number"]
    assert letter.decisions == []
    assert letter.warnings
    assert not any("parser failed" in warning for warning in letter.warnings)


def test_format_a_outcome_comes_from_the_numbered_list() -> None:
    text = _letter_text("format_a_2_three_items.txt").replace(
        "Norco 10/325mg #180 is\nmedically necessary",
        "Norco 10/325mg #180 is not\nmedically necessary",
    )
    letter = parse_text(text, "a2-edited")
    assert [d.outcome for d in letter.decisions] == [UPHELD, UPHELD, UPHELD]


def test_format_a_item_missing_from_the_list_is_flagged() -> None:
    text = _letter_text("format_a_2_three_items.txt").replace(
        "\n3) MAXIMUS Federal", "\nMAXIMUS Federal"
    )
    letter = parse_text(text, "a2-edited")
    assert [d.outcome for d in letter.decisions] == [OVERTURNED, UPHELD, ""]
    assert "item 3: not in the numbered decision list" in letter.warnings


def test_format_b_verdict_wins_over_heading_and_is_flagged() -> None:
    text = _letter_text("format_b_1_single_issue.txt").replace(
        "#120 is not medically necessary.", "#120 is medically necessary."
    )
    letter = parse_text(text, "b1-edited")
    assert [d.outcome for d in letter.decisions] == [OVERTURNED]
    assert "the rationale's verdict contradicts its heading" in letter.warnings


def test_format_b_heading_decides_when_the_rationale_states_no_verdict() -> None:
    text = _letter_text("format_b_2_overturned.txt").replace(
        "L5-S1 is medically necessary.", "L5-S1 is reasonable."
    )
    letter = parse_text(text, "b2-edited")
    assert [d.outcome for d in letter.decisions] == [OVERTURNED]
    assert letter.warnings == []


def test_format_b_numbered_list_inside_a_rationale_is_not_an_issue() -> None:
    text = _letter_text("format_b_3_two_issues.txt").replace(
        "2. Tramadol ER 150mg #30: Tramadol is",
        "1) Progress must be documented. \n\n2) Deficits must remain. \n\n"
        "2. Tramadol ER 150mg #30: Tramadol is",
    )
    letter = parse_text(text, "b3-edited")
    assert [d.outcome for d in letter.decisions] == [UPHELD, OVERTURNED]
    assert letter.decisions[0].rationale.endswith(
        "1) Progress must be documented. 2) Deficits must remain."
    )
    assert letter.decisions[1].rationale.startswith("Tramadol is a centrally acting")
    assert letter.warnings == []
