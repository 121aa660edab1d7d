"""Turn a guideline field of an IMR letter into structured `Citation`s.

The `Claims Administrator guideline:` and `MAXIMUS guideline:` fields name the guidelines a
decision rests on. Their wording drifted over the years (docs/FORMATS.md), so this parser keys on
the few stable anchors: "Decision based on", the source names (MTUS, Non-MTUS, ODG, ACOEM) and the
page markers. Anything it cannot place falls into source "other" rather than being dropped.
"""

from __future__ import annotations

import re

from imrsearch.model import Citation

# Boilerplate that cites nothing; removed before splitting so its "MTUS" is not taken for a source.
_STOCK = re.compile(
    r"The\s+(?:Claims\s+Administrator|Expert\s+Reviewer)\s+"
    r"(?:did\s+not\s+cite\b|based\s+\S+\s+decision\s+on\s+recommendations?(?:\(s\))?\s+outside\b)"
    r"[^.]*\.?",
    re.IGNORECASE,
)

# Each citation opens with one of these; older letters write the sentence out in full.
_OPENER = re.compile(
    r"\bDecision\s+based\s+on\b|\bbased\s+(?:its|their|his|her|his/her)\s+decision\s+on(?:\s+the\b)?",
    re.IGNORECASE,
)

_MTUS = r"(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule)"
# Line breaks turn the hyphen into "", " " or "- ".
_NON_MTUS = r"Non\W{0,3}MTUS(?:\s+Citations?)?"
_ODG = r"(?:ODG(?:\s+Guidelines)?|Official\s+Disability\s+Guidelines(?:\s*\(ODG\))?)"
_ACOEM = (
    r"(?:ACOEM(?:\s+(?:Occupational\s+Medicine\s+)?(?:Practice\s+)?Guidelines)?"
    r"|American\s+College\s+of\s+Occupational\s+and\s+Environmental\s+Medicine(?:\s*\(ACOEM\))?)"
)
_OTHER = r"Other\s+Medical\s+Treatment\s+Guidelines"

# Which source a citation part opens with, after any "Non-MTUS Citation" / "MTUS:" lead-in.
_LEAD = re.compile(
    rf"""
    (?:(?:(?P<non>{_NON_MTUS})|(?P<mtus>{_MTUS}))(?!\w)[\s,:;.–-]*)?          # "Non-MTUS:", "MTUS"
    (?:(?:(?P<acoem>{_ACOEM})|(?P<odg>{_ODG})|(?P<other>{_OTHER}))(?!\w))?   # then a source
    """,
    re.IGNORECASE | re.X,
)
# Source names anywhere in a part, for parts that do not open with one.
_NAMED = re.compile(rf"(?P<acoem>{_ACOEM})|(?P<odg>{_ODG})", re.IGNORECASE)
_MENTIONS_MTUS = re.compile(rf"(?<![\w-])(?<!Non\W)(?<!Non\W\W){_MTUS}(?!\w)", re.IGNORECASE)

# Source words stripped from the front of a topic; repeated for "MTUS: ACOEM ...".
_SOURCE_WORDS = re.compile(
    rf"^(?:(?:{_NON_MTUS}|{_MTUS}|{_ACOEM}|{_ODG}|{_OTHER})(?!\w)[\s,:;.–-]*)+", re.IGNORECASE
)

# One MTUS citation often chains chapters: "Low Back Complaints 2004, Section(s): Summary, and
# Chronic Pain Medical Treatment 2016, ...". Each chapter is its own guideline.
_CHAPTER_BREAK = re.compile(r",\s+and\s+(?=(?:[A-Z][\w&/-]*,?\s+(?:and\s+)?){1,6}(?:19|20)\d\d\b)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A second source inside one citation: "... Manipulation and ODG Chiropractic Guidelines."
_SOURCE_BREAK = re.compile(
    rf"(?:[.;,]|\s+and)\s+(?=(?:{_ODG}|{_ACOEM}|{_OTHER})(?!\w))", re.IGNORECASE
)

_PAGE_NUMBER = r"\d+(?:\s*[-–]\s*\d+)?"
# Not inside a URL or a word ("/p2/", "Group3").
_PAGES = re.compile(
    rf"""
    (?<![\w/.=?&\#%-])                                    # not inside a URL or a word
    (?:page\s*\(s\)|pages?|pgs?|pp|p)\s*\.?\s*:?\s*      # "Page(s):", "pp.", "p"
    (?P<list>{_PAGE_NUMBER}(?:\s*(?:,|&|\band\b)\s*{_PAGE_NUMBER})*)   # "24, 75-80 and 91"
    """,
    re.IGNORECASE | re.X,
)
_PAGE_SPLIT = re.compile(r"\s*(?:,|&|\band\b)\s*", re.IGNORECASE)
_DASH = re.compile(r"\s*[-–]\s*")
# MTUS regulation sections (8 CCR 9792.20-9792.26) name the source, not a page.
_REGULATION = re.compile(r"\b9792\.\d+(?:\s*[-–]\s*9792\.\d+)?")
_SECTION_LABEL = re.compile(r",?\s*Section\s*\(s\)\s*:\s*", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[,.;:])")
_REPEATED_PUNCT = re.compile(r"([,;:])(?:\s*[,;:.])+")
_EDGE_PUNCT = " ,.;:–-"
# "Carisoprodol (Soma), 29 Page(s): 29." repeats the page bare before the marker.
_TRAILING_NUMBER = re.compile(r",\s*(\d+(?:-\d+)?)$")


def parse_citations(text: str) -> list[Citation]:
    """The guidelines one guideline field cites, in order; [] for stock sentences citing nothing."""
    # The PDF text writes a hyphen broken across lines as \x02, which is also the snippet
    # match marker (model.MATCH_START), so it must not reach a topic.
    text = _STOCK.sub(" ", " ".join(text.replace("\x02", "-").split()))
    segments = _OPENER.split(text)
    # Text before the first opener is kept only if it names a source (older, unprefixed styles);
    # otherwise it is leftover boilerplate.
    head = segments[0]
    if not (_MENTIONS_MTUS.search(head) or _NAMED.search(head) or _PAGES.search(head)):
        segments = segments[1:]
    citations: list[Citation] = []
    for segment in segments:
        citations.extend(_parse_segment(segment.strip()))
    return citations


def _parse_segment(segment: str) -> list[Citation]:
    """One "Decision based on ..." clause, which may chain several chapters or sources."""
    lead = _LEAD.match(segment)
    assert lead is not None  # every group of _LEAD is optional: it matches any string
    if lead.group("mtus") and not lead.group("acoem") and not lead.group("odg"):
        default = "mtus"
        parts = _split_chapters(segment)
    else:
        named = _NAMED.search(segment)
        if named:
            default = named.lastgroup or "other"
        elif _MENTIONS_MTUS.search(segment):
            default = "mtus"
        else:
            default = "other"
        parts = [segment]
    citations = []
    for chapter in parts:
        for part in _SOURCE_BREAK.split(chapter):
            citation = _parse_part(part, default)
            if citation:
                citations.append(citation)
    return citations


def _split_chapters(segment: str) -> list[str]:
    """Break at ", and <Chapter> <year>" only once the current chapter has its own year, so the
    "and" inside "Forearm, Wrist, and Hand Complaints 2004" is not taken for a break."""
    parts, start = [], 0
    for brk in _CHAPTER_BREAK.finditer(segment):
        if _YEAR.search(segment, start, brk.start()):
            parts.append(segment[start : brk.start()])
            start = brk.end()
    parts.append(segment[start:])
    return parts


def _parse_part(part: str, default: str) -> Citation | None:
    """One guideline: its source, topic and pages; None when nothing is cited."""
    lead = _LEAD.match(part)
    assert lead is not None  # matches any string
    source = next((name for name in ("acoem", "odg", "other") if lead.group(name)), default)
    pages: list[str] = []
    for match in _PAGES.finditer(part):
        for page in _PAGE_SPLIT.split(match.group("list")):
            page = _DASH.sub("-", page)
            if page not in pages:
                pages.append(page)
    topic = _SOURCE_WORDS.sub("", part)
    topic = _PAGES.sub(" ", _REGULATION.sub(" ", _SECTION_LABEL.sub(", ", topic)))
    topic = _SPACE_BEFORE_PUNCT.sub("", " ".join(topic.split()))
    topic = _REPEATED_PUNCT.sub(r"\1", topic).strip(_EDGE_PUNCT)
    trailing = _TRAILING_NUMBER.search(topic)
    if trailing and trailing.group(1) in pages:
        topic = topic[: trailing.start()].rstrip(_EDGE_PUNCT)
    if not topic and not pages and source == "other":
        return None
    return Citation(source, topic, tuple(pages))
