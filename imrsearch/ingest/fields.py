"""Field readers all layouts share: dates, reviewer credentials, patient age and sex."""

from __future__ import annotations

import re

from imrsearch.ingest.normalize import fold
from imrsearch.model import Letter, Patient, Reviewer
from imrsearch.vocab.dates import DATE_PATTERN, parse_date


def split_sections(
    headings: re.Pattern[str], text: str
) -> tuple[dict[str, re.Match[str]], dict[str, str], int]:
    """Each named heading's first match, the text under it (up to the next heading), and
    where the first heading starts (a header table lies before it)."""
    marks: dict[str, re.Match[str]] = {}
    for mark in headings.finditer(text):
        marks.setdefault(mark.lastgroup or "", mark)
    ordered = sorted(marks.values(), key=lambda m: m.start())
    sections = {
        name: text[m.end() : next((n.start() for n in ordered if n.start() > m.start()), None)]
        for name, m in marks.items()
    }
    return marks, sections, ordered[0].start() if ordered else len(text)


_STATES_BLOCK = re.compile(
    r"State\(s\)\s+of\s+Licensure\s*:\s*(.*?)\s*(?=Certification\(s\)|\n|$)", re.S
)
_SPECIALTY_BLOCK = re.compile(
    r"Certification\(s\)\s*/\s*Specialty\s*:\s*(.*?)\s*"
    r"(?=CLINICAL\s+CASE\s+SUMMARY|DOCUMENTS\s+REVIEWED|State\(s\)|\n[A-Z ]{8,}\n|$)",
    re.S,
)
_SENTENCE = re.compile(
    r"""
    (?:is\s+)?Board\s+Certified\s+in\s+(?P<spec>.+?),?\s+     # the specialties
    and\s+(?:is\s+)?licensed\s+to\s+practice\s+in\s+
    (?P<states>[A-Z][A-Za-z\s.,]*?)                            # the states
    (?:\.\s|\.$|\s+He/she|\s+He\b|\s+She\b|$)                  # up to the sentence's end
    """,
    re.S | re.X,
)
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\band\b)\s*")
# "Board Certified in Anesthesiology, has a subspecialty in Pain Medicine and is licensed ..."
_SUBSPECIALTY = re.compile(r"^(?:has\s+a\s+|with\s+a\s+)?sub-?specialty\s+in\s+", re.IGNORECASE)


def _split_list(text: str) -> list[str]:
    """States: "California,North Carolina and Texas"."""
    return [part for part in (p.strip(" .") for p in _LIST_SPLIT.split(fold(text))) if part]


def _split_commas(text: str) -> list[str]:
    """Specialties keep their inner "and" ("Physical Medicine and Rehabilitation")."""
    return [part for part in (p.strip(" .") for p in fold(text).split(",")) if part]


def read_reviewer(text: str) -> Reviewer:
    """Credentials from the block form or the older sentence form."""
    states = _STATES_BLOCK.search(text)
    specialty = _SPECIALTY_BLOCK.search(text)
    if states or specialty:
        return Reviewer(
            states=_split_list(states.group(1)) if states else [],
            specialties=_split_commas(specialty.group(1)) if specialty else [],
        )
    sentence = _SENTENCE.search(text)
    if sentence:
        specialties = [_SUBSPECIALTY.sub("", s) for s in _split_commas(sentence["spec"])]
        return Reviewer(states=_split_list(sentence["states"]), specialties=specialties)
    return Reviewer()


_AGE_SEX = re.compile(
    r"\b(\d{1,3})\s*-?\s*(?:year|yr)s?\s*-?\s*old\s*,?\s*"
    r"(male|female|man|woman|gentleman|lady|boy|girl)?",
    re.IGNORECASE,
)
_SEX_WORDS = {
    "male": "male",
    "man": "male",
    "gentleman": "male",
    "boy": "male",
    "female": "female",
    "woman": "female",
    "lady": "female",
    "girl": "female",
}


_SEX_ALONE = re.compile(r"\b(male|female|man|woman|gentleman|lady)\b", re.IGNORECASE)
# How far into the summary a bare "female" still describes the patient ("is a female who ...").
_SEX_WINDOW = 400


def read_patient(summary: str) -> Patient:
    """Age and sex from the first "48 year old male" style phrase of the case summary."""
    match = _AGE_SEX.search(summary)
    age = int(match.group(1)) if match else None
    word = match.group(2) if match else None
    if word is None:
        alone = _SEX_ALONE.search(summary, 0, _SEX_WINDOW)
        word = alone.group(1) if alone else None
    return Patient(
        age=age if age is not None and 0 < age < 120 else None,
        sex=_SEX_WORDS.get((word or "").lower()),
    )


# The documents list of formats A, B and C ("Utilization Review Determination dated 7/23/2013"):
# the label and its verb share a line; the date may wrap ("10-04- / 2013").
_DOCUMENT_DATES = tuple(
    (name, re.compile(rf"{label}[^\n]*?\b{verb}\s+(?:on\s+)?(?P<date>{DATE_PATTERN})", re.I))
    for name, label, verb in (
        (
            "application_received",
            r"Application\s+(?:of|for)\s+Independent\s+Medical\s+Review\b",
            "(?:received|dated|signed)",
        ),
        ("ur_denial_date", r"Utilization\s+Review\s+(?:Determination|Denial|Decision)\b", "dated"),
        ("date_assigned", r"Notice\s+of\s+Assignment\b", "dated"),
    )
)


def read_documents(text: str, letter: Letter) -> None:
    """Fill the dates the header left empty from a documents-reviewed list."""
    for name, pattern in _DOCUMENT_DATES:
        match = pattern.search(text)
        if match and getattr(letter, name) is None:
            setattr(letter, name, parse_date(fold(match["date"])))
