"""Format A, the 2013 "Notice of Independent Medical Review Determination".

The letter states every outcome up front in a numbered list ("1) MAXIMUS Federal Services, Inc.
has determined the request for X is [not] medically necessary and appropriate.") and explains
them later in sections numbered the same way ("1) Regarding the request for X:"), each with the
two guideline fields and the rationale. So the outcome comes from the list, matched to its
section by number ("not medically necessary" = the UR denial upheld), and the service from the
section heading, which is the fuller of the two. `Dated:` is the decision date; the header labels
and the documents list under INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE give the others.
"""

from __future__ import annotations

import re

from imrsearch.ingest.fields import read_documents, read_patient, read_reviewer
from imrsearch.ingest.header import CASE_NUMBER
from imrsearch.ingest.normalize import fold
from imrsearch.model import OVERTURNED, UPHELD, Decision, Letter
from imrsearch.vocab.dates import DATE_PATTERN, parse_date

_NOTICE = re.compile(r"Notice\s+of\s+Independent\s+Medical\s+Review\s+Determination", re.I)
_DECISION = re.compile(r"INDEPENDENT\s+MEDICAL\s+REVIEW\s+DECISION\s+AND\s+RATIONALE")
_QUALIFICATIONS = re.compile(r"Medical\s+Qualifications\s+of\s+the\s+Expert\s+Reviewer\s*:", re.I)
_SUMMARY = re.compile(r"^[ ]*(?:Expert\s+Reviewer\s+)?Case\s+Summary\s*:", re.M)
# The lead-in sentence up to its colon or full stop: "Disclaimer: The following case summary was
# taken directly from the utilization review denial/modification dated July 23, 2013:"
_DISCLAIMER = re.compile(r"^\s*Disclaimer\s*:[^:\"]*?(?::|\.(?=\s|\"|$))", re.I)
_LISTED = re.compile(
    r"""
    ^[ ]*(?P<number>\d{1,2})\s*\)\s*                 # "1) "
    MAXIMUS\s+Federal\s+Services,?\s+Inc\.?\s+has\s+determined\s+the\s+request\s+for\s+
    (?P<item>(?:(?!\n[ ]*\d{1,2}\s*\)).)+?)          # the item, never running into "2) "
    \s+is\s+(?P<negated>not\s+)?medically\s+necessary\s+and\s+appropriate
    """,
    re.M | re.S | re.I | re.X,
)
_SECTION = re.compile(r"^[ ]*(?P<number>\d{1,2})\s*\)\s*Regarding\s+the\s+request\s+for\s+", re.M)
_GUIDELINE = r"Medical\s+Treatment\s+Guideline\(s\)\s+the\s+{}\s+used\s*:"
_CA = re.compile(_GUIDELINE.format(r"Claims\s+Administrator"), re.I)
_EXPERT = re.compile(_GUIDELINE.format(r"Expert\s+Reviewer"), re.I)
_RATIONALE = re.compile(r"Rationale\s+for\s+the\s+Decision\s*:", re.I)
# What may follow the last rationale: typist's initials ("/dd"), a cc list, a closing paragraph.
_TRAILER = re.compile(r"^[ ]*(?:/[A-Za-z]{1,4}[ ]*$|cc\s*:|Effect\s+of\s+the\s+Decision\b)", re.M)
_CASE = re.compile(rf"Case\s+Number\s*:\s*({CASE_NUMBER})")
_HEADER_DATES = tuple(
    (name, re.compile(rf"\b{label}\s*:\s*(?P<date>{DATE_PATTERN})", re.I))
    for name, label in (
        ("decision_date", "Dated"),
        ("ur_denial_date", r"Date\s+of\s+UR\s+Decision"),
        ("date_of_injury", r"Date\s+of\s+Injury"),
        ("application_received", r"(?:IMR\s+)?Application\s+Received"),
    )
)


def detect(text: str) -> bool:
    return bool(_NOTICE.search(text, 0, 2000)) or bool(
        _DECISION.search(text) and _RATIONALE.search(text)
    )


def parse(text: str, letter: Letter) -> None:
    decision = _DECISION.search(text)
    qualifications = _QUALIFICATIONS.search(text)
    summary = _SUMMARY.search(text)
    first_item = _SECTION.search(text)
    header_end = decision.start() if decision else len(text)
    _read_header(text[:header_end], letter)
    if decision is None:
        letter.warnings.append("no INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE section")
    else:
        documents_end = qualifications or summary or first_item
        read_documents(
            text[decision.end() : documents_end.start() if documents_end else None], letter
        )
    item_start = first_item.start() if first_item else len(text)
    if qualifications:
        reviewer_end = summary.start() if summary else item_start
        letter.reviewer = read_reviewer(text[qualifications.end() : reviewer_end])
    else:
        letter.warnings.append("no Medical Qualifications of the Expert Reviewer")
    if summary:
        letter.summary = _summary_text(text[summary.end() : item_start])
        letter.patient = read_patient(letter.summary)
    else:
        letter.warnings.append("no Case Summary section")
    listed = {int(m["number"]): m for m in _LISTED.finditer(text, 0, header_end)}
    letter.decisions = _sections(text[item_start:], letter.warnings)
    if not letter.decisions:  # the sections are missing: keep what the list says
        letter.decisions = [Decision(n, fold(m["item"]), "") for n, m in listed.items()]
    for item in letter.decisions:
        match = listed.get(item.number)
        if match:
            item.outcome = UPHELD if match["negated"] else OVERTURNED
        else:
            letter.warnings.append(f"item {item.number}: not in the numbered decision list")


def _read_header(text: str, letter: Letter) -> None:
    case = _CASE.search(text)
    if case:
        letter.case_number = case.group(1)
    for name, pattern in _HEADER_DATES:
        match = pattern.search(text)
        if match:
            setattr(letter, name, parse_date(fold(match["date"])))


def _summary_text(text: str) -> str:
    """The case summary without the disclaimer lead-in or the quotes around the UR's text."""
    summary = fold(_DISCLAIMER.sub("", text))
    if len(summary) > 1 and summary[0] == summary[-1] == '"':
        summary = summary[1:-1].strip()
    return summary


def _sections(text: str, warnings: list[str]) -> list[Decision]:
    """One Decision per "N) Regarding the request for X:" section, without outcomes yet."""
    starts = list(_SECTION.finditer(text))
    decisions = []
    for index, start in enumerate(starts):
        last = index + 1 == len(starts)
        block = text[start.end() : len(text) if last else starts[index + 1].start()]
        number = int(start["number"])
        ca = _CA.search(block)
        expert = _EXPERT.search(block, ca.end() if ca else 0)
        rationale = _RATIONALE.search(block, expert.end() if expert else 0)
        if not (ca and expert and rationale):
            warnings.append(f"item {number}: a guideline field or the rationale is missing")
        marks = [m for m in (ca, expert, rationale) if m]
        if last:  # nothing after the rationale belongs to it
            trailer = _TRAILER.search(block, marks[-1].end() if marks else 0)
            block = block[: trailer.start()] if trailer else block
        fields = {
            m.re: fold(block[m.end() : _end(block, marks[i + 1 :])]) for i, m in enumerate(marks)
        }
        service = block[: marks[0].start()] if marks else block.split("\n", 1)[0]
        decisions.append(
            Decision(
                number,
                fold(service).rstrip(" :"),
                "",
                ca_guideline=fields.get(_CA, ""),
                maximus_guideline=fields.get(_EXPERT, ""),
                rationale=fields.get(_RATIONALE, ""),
            )
        )
    return decisions


def _end(block: str, later: list[re.Match[str]]) -> int:
    """A field ends where the next label found begins, else at the end of its section."""
    return later[0].start() if later else len(block)
