"""Every layout yields every header field it prints, and none it does not.

What a letter prints is read here with the labels and sentences docs/FORMATS.md describes for
each layout, independently of the parsers: the header labels (`Case Number:`, `Decision Date:`,
format A's `Dated:` and `Date of UR Decision:`), and, in formats A to C, the dated entries of
the documents list under the decision and rationale heading (the application, the UR
determination, the notice of assignment).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imrsearch.ingest.archive import load_letter
from tests.ingest.expected import HEADER_FIELDS, SAMPLES

FORMATS = Path(__file__).resolve().parents[1] / "data" / "formats"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = rf"(?:\d|{_MONTHS})"  # where a date begins
_LISTED = r"[^\n]*?\b(?:received|dated|signed)\s+(?:on\s+)?" + _DATE
PRINTED = {
    "case_number": r"Case\s+Number\s*:",
    "date_assigned": rf"Date\s+Assigned\s*:|Notice\s+of\s+Assignment\b{_LISTED}",
    "decision_date": r"Decision\s+Date\s*:|^\s*Dated\s*:",
    "date_of_injury": r"Date\s+of\s+Injury\s*:",
    "ur_denial_date": rf"UR\s+Denial\s+Date\s*:|Date\s+of\s+UR\s+Decision\s*:"
    rf"|Utilization\s+Review\s+(?:Determination|Denial|Decision)\b{_LISTED}",
    "application_received": rf"Application\s+(?:\S+\s+)?Received\s*:"
    rf"|Application\s+(?:of|for)\s+Independent\s+Medical\s+Review\b{_LISTED}",
    "priority": r"Priority\s*:",
}
LETTERS = sorted(
    [*FORMATS.glob("format_*.txt"), *SAMPLES.glob("*.txt"), *SAMPLES.glob("*.pdf")],
    key=lambda p: p.name,
)


def printed(text: str) -> set[str]:
    return {name for name, label in PRINTED.items() if re.search(label, text, re.I | re.M)}


def test_the_letters_cover_every_field_and_layout() -> None:
    letters = [load_letter(path)[0] for path in LETTERS]
    assert {letter.format for letter in letters} == {"A", "B", "C", "D"}
    assert set().union(*(printed(letter.text) for letter in letters)) == set(HEADER_FIELDS)


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.name)
def test_every_printed_header_field_is_read(path: Path) -> None:
    letter, _ = load_letter(path)
    data = letter.to_dict()
    assert {name for name in HEADER_FIELDS if data[name] is not None} == printed(letter.text)
