"""Text → `Letter`: detect the layout, parse it, add the normalised extras searches need.

`parse_text` never raises: a letter it cannot read is still returned, flagged, with its text.
Tests pass `strict=True` so that a parser bug fails them instead of becoming a warning.
"""

from __future__ import annotations

import re

from imrsearch.ingest import format_a, format_b, format_c, format_d
from imrsearch.ingest.citations import parse_citations
from imrsearch.ingest.header import CASE_NUMBER
from imrsearch.ingest.normalize import normalize
from imrsearch.ingest.pages import mark_pages
from imrsearch.model import Letter
from imrsearch.vocab.drugs import find_drugs

# Most specific first: formats A and C open with the MAXIMUS letterhead that D lacks.
_LAYOUTS = (("A", format_a), ("B", format_b), ("C", format_c), ("D", format_d))
_ANY_CASE_NUMBER = re.compile(CASE_NUMBER)


def parse_text(text: str, path: str, *, strict: bool = False) -> Letter:
    letter = Letter(path=path, text=text.replace("\r\n", "\n"))
    clean = normalize(text)
    for name, layout in _LAYOUTS:
        if layout.detect(clean):
            letter.format = name
            try:
                layout.parse(clean, letter)
            except Exception as exc:  # a parser bug must not lose the letter
                if strict:
                    raise
                letter.warnings.append(f"format {name} parser failed: {type(exc).__name__}: {exc}")
                letter.decisions = []
            break
    else:
        letter.warnings.append("unknown layout: indexed as full text only")
    if letter.case_number is None:
        match = _ANY_CASE_NUMBER.search(clean[:2000])
        if match:
            letter.case_number = match.group()
    if letter.format != "unknown" and not letter.decisions:
        letter.warnings.append("no disputed items found")
    for decision in letter.decisions:
        # a partial authorisation's remainder may name only a quantity ("#60"): the drug is
        # then named in the original request
        decision.drugs = find_drugs(decision.service) or find_drugs(decision.original_request)
        decision.guidelines = parse_citations(decision.maximus_guideline)
    mark_pages(letter)
    return letter
