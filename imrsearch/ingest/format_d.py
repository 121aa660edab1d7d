"""Format D, the "Case Number" letters (2014 onward): optional page-1 header table, then
HOW THE IMR FINAL DETERMINATION WAS MADE / CLINICAL CASE SUMMARY / IMR ISSUES, DECISIONS AND
RATIONALES.
"""

from __future__ import annotations

import re

from imrsearch.ingest import header
from imrsearch.ingest.fields import read_patient, read_reviewer
from imrsearch.ingest.items import DECISIONS_LEAD, SUMMARY_LEAD, split_items
from imrsearch.ingest.normalize import fold
from imrsearch.model import Letter

_HOW = re.compile(r"HOW\s+THE\s+IMR\s+FINAL\s+DETERMINATION\s+WAS\s+MADE")
_SUMMARY = re.compile(r"CLINICAL\s+CASE\s+SUMMARY")
_ISSUES = re.compile(r"IMR\s+ISSUES,?\s+DECISIONS\s+AND\s+RATIONALES")


def detect(text: str) -> bool:
    return bool(_ISSUES.search(text)) and bool(_HOW.search(text))


def parse(text: str, letter: Letter) -> None:
    how = _HOW.search(text)
    summary = _SUMMARY.search(text)
    issues = _ISSUES.search(text)
    if how is None or issues is None:  # detect() said otherwise; be safe anyway
        letter.warnings.append("format D sections not found")
        return
    header.read_into(text[: how.start()], letter)
    reviewer_end = summary.start() if summary else issues.start()
    letter.reviewer = read_reviewer(text[how.end() : reviewer_end])
    if summary:
        letter.summary = fold(SUMMARY_LEAD.sub("", text[summary.end() : issues.start()]))
        letter.patient = read_patient(letter.summary)
    else:
        letter.warnings.append("no CLINICAL CASE SUMMARY section")
    section = DECISIONS_LEAD.sub("", text[issues.end() :])
    letter.decisions, warnings = split_items(section)
    letter.warnings.extend(warnings)
