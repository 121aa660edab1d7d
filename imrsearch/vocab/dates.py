"""The date forms IMR letters print, read strictly.

Hand-written rather than dateutil or Whoosh's DateParserPlugin: those guess (`12/01/2016` read
as day-first, `2016-12` widened to a whole year, a bad date silently matching nothing), and a
wrong date silently changes a count. This reads only the forms the letters use, and anything
else is None, so the caller can refuse it with a message.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

NUMERIC_DATE = r"\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}"
WORDED_DATE = rf"(?:{_MONTH_NAMES})\.?\s+\d{{1,2}},?\s+\d{{4}}"
DATE_PATTERN = rf"(?:{NUMERIC_DATE}|{WORDED_DATE})"
_NUMERIC = re.compile(r"(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{2,4})")
_WORDED = re.compile(rf"({_MONTH_NAMES})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})", re.IGNORECASE)


def parse_date(text: str) -> date | None:
    """A date in any style the letters use (11/09/2016, 10-13-16, January 26, 2000), else None."""
    text = text.strip()
    match = _NUMERIC.fullmatch(text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        if year < 100:  # two-digit years: injuries go back decades, decisions start in 2013
            year += 2000 if year <= 40 else 1900
    else:
        match = _WORDED.fullmatch(text)
        if not match:
            return None
        month, day, year = _MONTHS[match.group(1).lower()], int(match.group(2)), int(match[3])
    try:
        return date(year, month, day)
    except ValueError:
        return None
