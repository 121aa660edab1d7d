"""Per-item decision blocks shared by the layouts that print them (formats D and C).

A block is: the item paragraph ending in its outcome, `Claims Administrator guideline:`,
`MAXIMUS guideline:`, `Decision rationale:`. The guideline labels are reliable anchors; the
hard part is where one block's rationale ends and the next item begins, since PDF text has
no paragraph breaks and sometimes glues lines together.
"""

from __future__ import annotations

import re

from imrsearch.ingest.normalize import fold
from imrsearch.model import OVERTURNED, UPHELD, Decision

# The fixed sentences that open a letter's summary and its decisions (formats C and D).
SUMMARY_LEAD = re.compile(
    r"^\s*The\s+expert\s+reviewer\s+developed\s+the\s+following\s+clinical\s+case\s+summary\b"
    r"[^:]*:",
    re.IGNORECASE,
)
DECISIONS_LEAD = re.compile(
    r"^\s*The\s+Final\s+Determination\s+was\s+based\s+on\s+decisions\s+for\s+the\s+disputed\s+"
    r"items\s*/\s*services\s+set\s+forth\s+below\s*:",
    re.IGNORECASE,
)
_CA = re.compile(r"Claims\s+Administrator\s+guideline\s*:", re.IGNORECASE)
_MAXIMUS = re.compile(r"MAXIMUS\s+guideline\s*:", re.IGNORECASE)
_RATIONALE = re.compile(r"Decision\s+rationale\s*:", re.IGNORECASE)
_OUTCOME = re.compile(r"\s*:?\s*\b(Upheld|Overturned)\s*$", re.IGNORECASE)
# Where a rationale may end and the next item begin: a line break after a sentence end, or
# a sentence end glued to a capital letter ("...not medically necessary.X-rays of ...").
_BOUNDARY = re.compile(
    r"""
      [.!?]["')\]]*[ ]*\n                 # a sentence end, then a line break
    | [.!?]["')\]]*(?=[A-Z][a-z]*)        # a sentence end glued to the next capital
    | medically\s+necessary[ ]*\n        # the verdict line without its full stop
    """,
    re.X,
)
_ORIGINAL = re.compile(r"\bwas\s+the\s+original\s+request\b", re.IGNORECASE)
# A partial authorisation, in either printed form:
#   "X was the original request. Y was authorized by the Claims Administrator. The remaining
#    IMR eligible portion of the original request, Z is"
#   "X was the original request. The Claims Administrator authorized Y, leaving the original
#    request IMR eligible. The original request, Z is"
# Greedy `.*`: the eligible remainder follows the LAST "original request" of the paragraph.
_PARTIAL = re.compile(
    r"""
    (?P<original>.+?)\s+was\s+the\s+original\s+request\b\s*\.?\s*  # "<X> was the original request."
    (?P<middle>.*)\boriginal\s+request\s*,?\s*(?:is\s+)?            # ... "of the original request,"
    (?P<eligible>.+?)(?:\s+is)?\s*$                                   # "<Z> is"
    """,
    re.IGNORECASE | re.S | re.X,
)
# What the claims administrator authorised, from the middle of the paragraph.
_AUTHORIZED = re.compile(
    r"""
      ^(?P<passive>.+?)\s+(?:was|were)\s+authorized\s+by\s+the\s+Claims\s+Administrator\b
    | ^The\s+Claims\s+Administrator\s+authorized\s+(?P<active>.+?)\s*,?\s+leaving\b
    """,
    re.IGNORECASE | re.S | re.X,
)
_PARTIAL_HINT = re.compile(r"IMR\s+eligible|authorized|original\s+request", re.IGNORECASE)


def split_items(section: str) -> tuple[list[Decision], list[str]]:
    """Decisions from the text after the section's lead-in, with warnings for what looked odd."""
    warnings: list[str] = []
    ca_marks = list(_CA.finditer(section))
    decisions: list[Decision] = []
    start = 0
    for number, ca in enumerate(ca_marks, start=1):
        head = section[start : ca.start()]
        if number > 1:
            rationale, head = _split_rationale(head)
            decisions[-1].rationale = fold(rationale)
        outcome_match = _OUTCOME.search(head)
        outcome = ""
        if outcome_match:
            outcome = UPHELD if outcome_match.group(1).lower() == "upheld" else OVERTURNED
            head = head[: outcome_match.start()]
        else:
            warnings.append(f"item {number}: no outcome (Upheld/Overturned) found")
        end = ca_marks[number].start() if number < len(ca_marks) else len(section)
        body = section[ca.end() : end]
        maximus = _MAXIMUS.search(body)
        rationale_mark = _RATIONALE.search(body, maximus.end() if maximus else 0)
        if maximus is None or rationale_mark is None:
            warnings.append(f"item {number}: missing MAXIMUS guideline or decision rationale")
        ca_text = (
            body[: maximus.start()]
            if maximus
            else body[: rationale_mark.start()]
            if rationale_mark
            else body
        )
        maximus_text = (
            body[maximus.end() : rationale_mark.start() if rationale_mark else len(body)]
            if maximus
            else ""
        )
        decisions.append(_decision(number, fold(head), outcome, fold(ca_text), fold(maximus_text)))
        start = ca.end() + (rationale_mark.end() if rationale_mark else len(body))
    if decisions:
        decisions[-1].rationale = fold(section[start:])
    return decisions, warnings


def _decision(number: int, item: str, outcome: str, ca: str, maximus: str) -> Decision:
    """The decision on one item. A partial authorisation's item is the IMR-eligible request
    (what the reviewer decided on); the original request and the authorised part are kept
    beside it, so that a count or a citation never quotes the whole paragraph as the item."""
    decision = Decision(number, item, outcome, ca_guideline=ca, maximus_guideline=maximus)
    partial = _PARTIAL.match(item) if _ORIGINAL.search(item) else None
    if partial:
        decision.original_request = partial["original"].strip()
        decision.eligible_request = decision.service = partial["eligible"].strip()
        authorized = _AUTHORIZED.match(partial["middle"])
        if authorized:
            decision.authorized_request = (authorized["passive"] or authorized["active"]).strip()
    return decision


def _split_rationale(text: str) -> tuple[str, str]:
    """Split "<previous rationale><next item paragraph>" at the paragraph boundary."""
    cut = _last_boundary(text, len(text.rstrip()))
    if cut is None:
        return "", text
    item = text[cut:]
    if _PARTIAL_HINT.search(item) and not _ORIGINAL.search(item):
        # A partial-authorisation paragraph has sentence ends inside: start at its first one.
        original = None
        for original in _ORIGINAL.finditer(text, 0, cut):  # noqa: B007 - want the last one
            pass
        if original is not None:
            earlier = _last_boundary(text, original.start())
            cut = earlier if earlier is not None else 0
    return text[:cut], text[cut:]


def _last_boundary(text: str, before: int) -> int | None:
    last = None
    for match in _BOUNDARY.finditer(text, 0, before):
        last = match.end()
    return last
