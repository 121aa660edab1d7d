"""Format B, the "Medical Professional Review" letters: labelled sections, usually one issue.

Sections: ISSUE AT DISPUTE, CASE SUMMARY, DOCUMENTS REVIEWED FOR DETERMINATION, MEDICAL TREATMENT
GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY (the reviewer's citation, stored as
`maximus_guideline`; no claims administrator citation is printed), RATIONALE FOR WHY THE
REQUESTED TREATMENT/SERVICE IS/WAS [NOT] MEDICALLY NECESSARY, MEDICAL REVIEWER QUALIFICATIONS.
They are found by heading wherever they fall, headings broken across lines included.

Outcome: the rationale's own closing verdict decides ("... is not medically necessary" = upheld,
"... is medically necessary" = overturned), because the heading may be a fixed template that
reads "IS/WAS NOT" whatever the decision. When the rationale states no verdict, the heading
decides ("NOT" = upheld). A single-issue letter whose heading and verdict disagree is flagged.

Several issues ("ISSUES AT DISPUTE: 1. ... 2. ...") get one decision each; the guideline and
rationale sections are split by the same numbers when each part opens with its issue's first
word, else every issue shares the whole section (and the letter is flagged).
"""

from __future__ import annotations

import re

from imrsearch.ingest import header
from imrsearch.ingest.fields import read_documents, read_patient, read_reviewer, split_sections
from imrsearch.ingest.normalize import fold
from imrsearch.model import OVERTURNED, UPHELD, Decision, Letter

_TITLE = re.compile(r"\s*MEDICAL\s+PROFESSIONAL\s+REVIEW\b")
_HEADINGS = re.compile(
    r"(?P<issues>ISSUES?\s+AT\s+DISPUTE\s*:)"
    r"|(?P<summary>CASE\s+SUMMARY\s*:)"
    r"|(?P<documents>DOCUMENTS\s+REVIEWED\s+FOR\s+DETERMINATION\s*:)"
    r"|(?P<guideline>MEDICAL\s+TREATMENT\s+GUIDELINE\(S\)\s+RELIED\s+UPON\s+BY\s+PROFESSIONAL\s+"
    r"REVIEWER\s+AND\s+WHY\s*:)"
    r"|(?P<rationale>RATIONALE\s+FOR\s+WHY\s+THE\s+REQUESTED\s+TREATMENT\s*/\s*SERVICE\s+IS\s*/\s*"
    r"WAS\s+(?:NOT\s+)?MEDICALLY\s+NECESSARY\s*:)"
    r"|(?P<qualifications>MEDICAL\s+REVIEWER\s+QUALIFICATIONS\s*:)"
)
_NOT = re.compile(r"\bNOT\b")
_NUMBER = re.compile(r"^[ ]*(\d{1,2})[.)][ ]+", re.M)
# "Is the request for X medically necessary and appropriate?" names X.
_QUESTION = re.compile(
    r"^(?:Is|Was|Whether)\s+the\s+(?:request\s+for|requested)\s+(?P<item>.+?)\s+"
    r"(?:is\s+|was\s+)?medically\s+necessary(?:\s+and\s+appropriate)?\s*\??$",
    re.I,
)
_VERDICT = re.compile(
    r"\bmedically\s*-?\s*(?:necessary|appropriate)\b|\b(?:supported|warranted)\b", re.I
)
_NEGATION = re.compile(r"\b(?:not|non|never|cannot)\b|n't\b", re.I)
_SENTENCE_END = re.compile(r"[.!?]\s")


def detect(text: str) -> bool:
    if _TITLE.match(text):
        return True
    if "DISPUTE" not in text or "RATIONALE" not in text:  # cheap test before the scan
        return False
    found = {m.lastgroup for m in _HEADINGS.finditer(text)}
    return {"issues", "rationale"} <= found


def parse(text: str, letter: Letter) -> None:
    marks, sections, first = split_sections(_HEADINGS, text)
    header.read_into(text[:first], letter)
    read_documents(sections.get("documents", ""), letter)
    letter.reviewer = read_reviewer(sections.get("qualifications", ""))
    letter.summary = fold(sections.get("summary", ""))
    letter.patient = read_patient(letter.summary)
    for name in ("issues", "summary", "guideline", "rationale", "qualifications"):
        if name not in marks:
            letter.warnings.append(f"no {name} section")
    services = [s for s in map(_service, _numbered(sections.get("issues", ""))) if s]
    if not services:
        return
    guidelines = _per_issue(sections.get("guideline", ""), services, letter.warnings)
    rationales = _per_issue(sections.get("rationale", ""), services, letter.warnings)
    heading = marks.get("rationale")
    heading_says = "" if heading is None else UPHELD if _NOT.search(heading[0]) else OVERTURNED
    for number, (service, guideline, rationale) in enumerate(
        zip(services, guidelines, rationales, strict=True), start=1
    ):
        said = _verdict(rationale)
        if said and heading_says and said != heading_says and len(services) == 1:
            letter.warnings.append("the rationale's verdict contradicts its heading")
        outcome = said or heading_says
        if not outcome:
            letter.warnings.append(f"item {number}: no outcome found")
        letter.decisions.append(
            Decision(number, service, outcome, maximus_guideline=guideline, rationale=rationale)
        )


def _verdict(rationale: str) -> str:
    """UPHELD or OVERTURNED from the last "(not) medically necessary" the rationale states."""
    last = next(reversed(list(_VERDICT.finditer(rationale))), None)
    if last is None:
        return ""
    clause = _SENTENCE_END.split(rationale[max(0, last.start() - 60) : last.start()])[-1]
    return UPHELD if _NEGATION.search(clause) else OVERTURNED


def _service(text: str) -> str:
    service = fold(text)
    question = _QUESTION.match(service)
    return question["item"] if question else service


def _numbered(text: str, heads: list[str] | None = None) -> list[str]:
    """The parts of a "1. ... 2. ..." list (numbers at line starts, in order), else the text.

    With `heads`, part k must open with heads[k-1] (its issue's first word), so that a numbered
    list inside one issue's rationale is not taken for the next issue.
    """
    starts: list[re.Match[str]] = []
    for mark in _NUMBER.finditer(text):
        k = len(starts)
        if int(mark[1]) == k + 1 and (
            heads is None or (k < len(heads) and text[mark.end() :].lower().startswith(heads[k]))
        ):
            starts.append(mark)
    if not starts:
        return [text]
    ends = [m.start() for m in starts[1:]] + [len(text)]
    return [text[m.end() : end] for m, end in zip(starts, ends, strict=True)]


def _per_issue(text: str, services: list[str], warnings: list[str]) -> list[str]:
    """The section's part for each issue, without the issue's name repeated at its head."""
    if len(services) == 1 or not text.strip():
        return [fold(text)] * len(services)
    parts = [fold(part) for part in _numbered(text, [s.split()[0].lower() for s in services])]
    if len(parts) != len(services):
        warnings.append("could not split a section by issue: each issue gets all of it")
        return [fold(text)] * len(services)
    return [
        part[len(service) :].lstrip(" :-") if part.lower().startswith(service.lower()) else part
        for part, service in zip(parts, services, strict=True)
    ]
