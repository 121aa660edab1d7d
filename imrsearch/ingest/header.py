"""The page-1 header table (Case Number, Date Assigned, ... Application Received).

Text extractors scramble this table: one keeps each label beside its value, another prints all
labels of a column and then all values, sometimes a value before its label. So values are
recovered in two passes: a value right after its label (only white space between) belongs to
it; the rest are paired with the remaining labels in reading order, by the shape of the value.
"""

from __future__ import annotations

import re

from imrsearch.model import Letter
from imrsearch.vocab.dates import NUMERIC_DATE, parse_date

CASE_NUMBER = r"CM\d{2}-\d{5,8}"
_PRIORITY = r"(?:Standard|Expedited|Urgent)"

# attribute name, label pattern, value shape
_FIELDS = (
    ("case_number", r"Case\s+Number", CASE_NUMBER),
    ("date_assigned", r"Date\s+Assigned", NUMERIC_DATE),
    ("date_of_injury", r"Date\s+of\s+Injury", NUMERIC_DATE),
    ("decision_date", r"Decision\s+Date", NUMERIC_DATE),
    ("ur_denial_date", r"UR\s+Denial\s+Date", NUMERIC_DATE),
    ("priority", r"Priority", _PRIORITY),
    # one extractor prints the value between the label's two words
    ("application_received", rf"Application(?:\s+{NUMERIC_DATE})?\s+Received", NUMERIC_DATE),
)
_LABELS = re.compile("|".join(f"(?P<{name}>{label}\\s*:)" for name, label, _ in _FIELDS))
_VALUE = re.compile(f"(?P<case>{CASE_NUMBER})|(?P<date>{NUMERIC_DATE})|(?P<priority>{_PRIORITY})")
_KIND = {"case_number": "case", "priority": "priority"}  # every other field holds a date


_SPACES = re.compile(r"\s*")


def read_into(text: str, letter: Letter) -> None:
    """Fill the header fields of `letter` from the text before the first section heading."""
    # every alternative of both patterns is a named group, so lastgroup is never None
    labels = [(str(m.lastgroup), m.start(), m.end()) for m in _LABELS.finditer(text)]
    if not labels:
        return
    values = [(str(m.lastgroup), m.start(), m.group()) for m in _VALUE.finditer(text)]
    found: dict[str, str] = {}
    used: set[int] = set()
    for name, _, end in labels:
        spaces = _SPACES.match(text, end)
        gap = spaces.end() - end if spaces else 0
        for kind, start, raw in values:
            if start == end + gap and kind == _KIND.get(name, "date"):
                found[name] = raw
                used.add(start)
                break
    for kind in ("case", "date", "priority"):
        waiting = [
            name for name, _, _ in labels if name not in found and _KIND.get(name, "date") == kind
        ]
        spare = [raw for k, start, raw in values if k == kind and start not in used]
        for name, raw in zip(waiting, spare, strict=False):
            found[name] = raw
    for name, raw in found.items():
        if name == "case_number" or name == "priority":
            setattr(letter, name, raw)
        else:
            setattr(letter, name, parse_date(re.sub(r"\s+", "", raw)))
