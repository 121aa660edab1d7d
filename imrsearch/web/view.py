"""What the templates show, as plain data: text in pieces (matched or not), letter sections,
links. Nothing here makes markup: the templates escape every piece, so a letter's text, its
file name or a query can hold any character and still show as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from imrsearch.highlight import spans
from imrsearch.model import Decision, Highlight, Hit, Letter, Snippet
from imrsearch.render.console import partial_requests

Piece = tuple[str, bool]  # a run of text, and whether it is a match


def pieces(snippet: Snippet) -> list[Piece]:
    """A snippet cut at its match spans, for the template to wrap matches in <mark>."""
    out: list[Piece] = []
    cursor = 0
    for start, end in snippet.spans:
        if start > cursor:
            out.append((snippet.text[cursor:start], False))
        out.append((snippet.text[start:end], True))
        cursor = end
    if cursor < len(snippet.text):
        out.append((snippet.text[cursor:], False))
    return out


def marked(text: str, highlight: Highlight) -> list[Piece]:
    return pieces(Snippet(text, tuple(spans(text, highlight))))


def url(path: str, **params: object) -> str:
    """`path` with its query string; empty and default values are left out so a link is
    as short as the page it reproduces."""
    kept = {k: v for k, v in params.items() if v not in (None, "", 1, "relevance")}
    return f"{path}?{urlencode(kept)}" if kept else path


def letter_key(hit: Hit | Letter) -> str:
    """How a letter is named in its page's URL: its case number, else its path as indexed."""
    return hit.case_number or hit.path


def letter_url(key: str, query: str = "", item: int | None = None) -> str:
    link = url("/letters/" + quote(key, safe=""), q=query)
    return f"{link}#item-{item}" if item is not None else link


@dataclass
class Paragraph:
    label: str
    body: list[Piece]
    matches: list[int] = field(default_factory=list)  # the page-wide numbers of its matches


@dataclass
class Section:
    anchor: str  # an id for links: item-2, summary, text
    title: str
    outcome: str = ""
    paragraphs: list[Paragraph] = field(default_factory=list)
    citation: str = ""


@dataclass
class LetterPage:
    name: str
    sections: list[Section]
    matches: int  # how many matches are marked on the page
    citation: str  # the letter, its items and outcomes, a quoted passage, the file


def letter_page(letter: Letter, highlight: Highlight) -> LetterPage:
    """A letter in sections (summary, each item, or its whole text) with the matches marked
    and numbered in reading order."""
    name = letter.case_number or letter.path.rsplit("/", 1)[-1]
    decided = f" (decided {letter.decision_date.isoformat()})" if letter.decision_date else ""
    sections: list[Section] = []
    if letter.summary:
        sections.append(
            Section("summary", "Clinical case summary", paragraphs=_paragraphs(letter.summary))
        )
    for decision in letter.decisions:
        sections.append(_item(decision, f"{name}, item {decision.number}{decided}"))
    if not letter.decisions:
        sections.append(
            Section("text", "Full text", paragraphs=_paragraphs(letter.text), citation=name)
        )
    count, passages = 0, []
    for section in sections:
        for paragraph in section.paragraphs:
            text = "".join(piece for piece, _ in paragraph.body)
            paragraph.body = marked(text, highlight) if highlight else paragraph.body
            for piece, matched in paragraph.body:
                if matched:
                    count += 1
                    paragraph.matches.append(count)
                    passages.append(
                        (section.anchor == "summary", -len(piece.split()), count, text, piece)
                    )
    # The passage quoted: a match in a decision (or the letter's text) before one in the case
    # summary, which only retells the records; the longest match (a phrase asked for rather
    # than a drug name) first, then the first.
    quoted = [f'"{_sentence(*min(passages)[3:])}"'] if passages else []
    lines = [name + decided, *(s.citation for s in sections if s.citation), *quoted]
    return LetterPage(name, sections, count, "\n".join([*lines, f"Source: {letter.path}"]))


def _paragraphs(text: str, label: str = "") -> list[Paragraph]:
    return [Paragraph(label, [(line, False)]) for line in text.split("\n") if line.strip()]


def _item(decision: Decision, cited: str) -> Section:
    section = Section(
        f"item-{decision.number}",
        f"Item {decision.number}: {decision.service}",
        decision.outcome,
        citation=f"{cited}: {decision.service}"
        + (f" ({decision.outcome})" if decision.outcome else ""),
    )
    if decision.drugs:
        drugs = ", ".join(f"{d.name} ({d.generic}, {d.drug_class})" for d in decision.drugs)
        section.paragraphs.append(Paragraph("Drugs", [(drugs, False)]))
    for label, body in (
        *partial_requests(decision),
        ("Claims administrator guideline", decision.ca_guideline),
        ("MAXIMUS guideline", decision.maximus_guideline),
        ("Rationale", decision.rationale),
    ):
        if body:
            section.paragraphs.append(Paragraph(label, [(body, False)]))
    return section


def _sentence(text: str, match: str, limit: int = 400) -> str:
    """The sentence around the first occurrence of `match` in `text`, cut to `limit`."""
    at = text.find(match)
    start = text.rfind(". ", 0, at) + 2 if text.rfind(". ", 0, at) >= 0 else 0
    stop = text.find(". ", at + len(match))
    found = text[start : len(text) if stop < 0 else stop + 1].strip()
    return found if len(found) <= limit else found[:limit].rstrip() + "…"
