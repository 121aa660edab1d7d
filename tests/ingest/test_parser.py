"""`parse_text` returns a Letter for anything, and flags what it could not read."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imrsearch.ingest.parser import parse_text

SEED = (Path(__file__).resolve().parents[2] / "samples" / "003_a2ace93582df6458.txt").read_text()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    letter = parse_text(text, "x.txt", strict=True)
    assert letter.path == "x.txt"
    assert letter.text == text.replace("\r\n", "\n")


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(SEED)), st.text(max_size=40))
def test_never_raises_on_a_letter_with_text_spliced_in(at: int, junk: str) -> None:
    letter = parse_text(SEED[:at] + junk + SEED[at:], "x.txt", strict=True)
    assert not any("parser failed" in w for w in letter.warnings)


def test_unknown_layout_is_kept_and_flagged() -> None:
    letter = parse_text("Dear Sir, please find enclosed our invoice.", "memo.txt")
    assert letter.format == "unknown"
    assert letter.decisions == []
    assert any("unknown layout" in w for w in letter.warnings)
    assert letter.text.startswith("Dear Sir")


def test_seed_drugs_and_guidelines_are_normalised() -> None:
    letter = parse_text(SEED, "003.txt")
    drugs = [[(d.name, d.generic, d.drug_class) for d in x.drugs] for x in letter.decisions]
    assert drugs[1] == [("Soma", "carisoprodol", "muscle relaxant")]
    assert drugs[3] == [("Valium", "diazepam", "benzodiazepine")]
    assert drugs[0][0][2] == "opioid"
    assert [c.source for c in letter.decisions[2].guidelines] == ["mtus"]
    assert letter.decisions[2].guidelines[0].pages == ("24",)


def test_truncated_letter_warns_but_keeps_items_so_far() -> None:
    cut = SEED.index("Soma 350 mg #60: Upheld")
    letter = parse_text(SEED[:cut], "cut.txt")
    assert letter.format == "D"
    assert [d.service for d in letter.decisions] == ["Percocet 10/325 mg 30"]


def test_strict_mode_lets_a_parser_bug_fail_the_caller(monkeypatch) -> None:
    """Without `strict`, a bug becomes a warning; the property tests above use `strict` so
    that they can fail."""
    from imrsearch.ingest import format_d

    def broken(text, letter):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(format_d, "parse", broken)
    assert "format D parser failed: RuntimeError: parser bug" in parse_text(SEED, "x").warnings
    with pytest.raises(RuntimeError):
        parse_text(SEED, "x", strict=True)


def test_partial_authorisation_item_is_the_eligible_request() -> None:
    """The paragraph of a partial authorisation is split into its three requests; a remainder
    that names only a quantity takes its drug from the original request."""
    paragraph = (
        "Soma 350 mg #60 was the original request. Soma 350 mg #30 was authorized by the Claims\n"
        "Administrator. The remaining IMR eligible portion of the original request, #30 is:\n"
        "Upheld"
    )
    letter = parse_text(SEED.replace("Soma 350 mg #60: Upheld", paragraph), "003.txt")
    plain = parse_text(SEED, "003.txt")
    assert len(letter.decisions) == len(plain.decisions)
    item = letter.decisions[1]
    assert (item.service, item.outcome) == ("#30", "upheld")
    assert item.original_request == "Soma 350 mg #60"
    assert item.authorized_request == "Soma 350 mg #30"
    assert item.eligible_request == "#30"
    assert [d.name for d in item.drugs] == [d.name for d in plain.decisions[1].drugs] == ["Soma"]
    assert letter.decisions[0].rationale == plain.decisions[0].rationale
