"""Format C (about 2014-2015): the MAXIMUS letterhead and header table, then HOW THE IMR FINAL
DETERMINATION WAS MADE, DOCUMENTS REVIEWED, CLINICAL CASE SUMMARY and IMR DECISION(S) AND
RATIONALE(S), whose per-item blocks are Format D's (so `split_items` reads them).

Format A shares the letterhead and Format D the middle sections, so a letter is C only when it is
neither; then the C-only headings or, in a letter cut short, the letterhead alone identify it.
"""

from __future__ import annotations

import re

from imrsearch.ingest import format_a, format_d, header
from imrsearch.ingest.fields import read_documents, read_patient, read_reviewer, split_sections
from imrsearch.ingest.items import DECISIONS_LEAD, SUMMARY_LEAD, split_items
from imrsearch.ingest.normalize import fold
from imrsearch.model import Letter

_LETTERHEAD = re.compile(
    r"\A\s*MAXIMUS\s+FEDERAL\s+SERVICES,?\s+INC\.?[ ]*\n[ ]*Independent\s+Medical\s+Review[ ]*$",
    re.M,
)
_HEADINGS = re.compile(
    r"(?P<how>HOW\s+THE\s+IMR\s+FINAL\s+DETERMINATION\s+WAS\s+MADE)"
    r"|^[ ]*(?P<documents>DOCUMENTS\s+REVIEWED)[ ]*$"
    r"|(?P<summary>CLINICAL\s+CASE\s+SUMMARY)"
    r"|(?P<decisions>IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\))",
    re.M,
)


def detect(text: str) -> bool:
    if format_a.detect(text) or format_d.detect(text):
        return False
    found = {m.lastgroup for m in _HEADINGS.finditer(text)}
    return bool(_LETTERHEAD.search(text)) or (
        "how" in found and bool(found & {"documents", "decisions"})
    )


def parse(text: str, letter: Letter) -> None:
    _, sections, first = split_sections(_HEADINGS, text)
    header.read_into(text[:first], letter)
    for name in ("how", "documents", "summary", "decisions"):
        if name not in sections:
            letter.warnings.append(f"format C section not found: {name}")
    letter.reviewer = read_reviewer(sections.get("how", ""))
    read_documents(sections.get("documents", ""), letter)
    letter.summary = fold(SUMMARY_LEAD.sub("", sections.get("summary", "")))
    letter.patient = read_patient(letter.summary)
    if "decisions" in sections:
        letter.decisions, warnings = split_items(DECISIONS_LEAD.sub("", sections["decisions"]))
        letter.warnings.extend(warnings)
