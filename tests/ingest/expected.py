"""The hand-read expected values (tests/data/expected) the parser tests compare against."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "tests" / "data" / "expected"
CORPUS = ROOT / "tests" / "data" / "corpus" / "dwc-2016-17"
SAMPLES = ROOT / "samples"

corpus_expected: dict[str, dict] = json.loads((EXPECTED / "corpus.json").read_text())
seeds_expected: dict[str, dict] = json.loads((EXPECTED / "seeds.json").read_text())

HEADER_FIELDS = (
    "case_number",
    "date_assigned",
    "decision_date",
    "date_of_injury",
    "ur_denial_date",
    "application_received",
    "priority",
)
