"""A letter laid out for the preview pane: sectioned paragraphs, the matches in them, anchors.

Pure rich and model code, so the layout, the match list and the citation excerpt can be tested
without running the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text

from imrsearch import api
from imrsearch.highlight import spans
from imrsearch.model import WHOLE_LETTER, Highlight, Letter, Snippet
from imrsearch.render.console import MATCH_STYLE, outcome_text, partial_requests
from imrsearch.render.terminal import for_terminal

HEADING_STYLE = "bold underline"
LABEL_STYLE = "bold"


HEADER = "header"
SUMMARY = "clinical case summary"
FULL_TEXT = WHOLE_LETTER  # a letter with no items is cited as a whole, as its hit is labelled


@dataclass
class Document:
    """Paragraphs (wrapped by the view), match spans in them, and where each item starts."""

    letter: Letter | None = None  # what is laid out: citations name its items and dates
    paragraphs: list[Text] = field(default_factory=list)
    body_starts: list[int] = field(default_factory=list)  # where a paragraph's label ends
    anchors: dict[int, int] = field(default_factory=dict)  # item number → heading paragraph
    parts: dict[int, str] = field(default_factory=dict)  # heading paragraph → part not an item
    matches: list[tuple[int, int, int]] = field(default_factory=list)  # (paragraph, start, end)
    # paragraph → (section, the letter's text it comes from, where it starts there), to cite
    sources: dict[int, tuple[str, str, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The letter as hits name it: its case number, or its file's name."""
        if self.letter is None:
            return ""
        return self.letter.case_number or self.letter.path.rsplit("/", 1)[-1]

    def add(
        self,
        body: str | Text,
        label: str = "",
        style: str = "",
        source: tuple[str, str, int] | None = None,
    ) -> None:
        """A paragraph; text from the letter is made safe for the terminal here (a `Text`
        body was built by `build_document` from safe parts). `source`: where it stands in the
        letter (section, that section's text, offset), so a match in it can be cited."""
        if source is not None:
            self.sources[len(self.paragraphs)] = source
        text = Text(style=style)
        if label:
            text.append(f"{label}: ", style=LABEL_STYLE)
        text.append(for_terminal(body) if isinstance(body, str) else body)
        self.paragraphs.append(text)
        self.body_starts.append(len(label) + 2 if label else 0)

    def item_of(self, paragraph: int) -> int | None:
        """The item whose section holds `paragraph` (None before the first item)."""
        before = [(p, n) for n, p in self.anchors.items() if p <= paragraph]
        return max(before)[1] if before else None

    def part_of(self, paragraph: int) -> str:
        """Where `paragraph` stands, as a citation names it: "item 2", "clinical case summary"."""
        starts = [(p, f"item {n}") for n, p in self.anchors.items()] + list(self.parts.items())
        before = [start for start in starts if start[0] <= paragraph]
        return max(before)[1] if before else HEADER

    def matches_in(self, part: str) -> list[int]:
        """The matches (indexes into `matches`) inside one part of the letter."""
        return [i for i, (p, _, _) in enumerate(self.matches) if self.part_of(p) == part]

    def target(self, item: int | None, snippet: Snippet) -> int | None:
        """The match to show first for item `item` (None: a letter with no items, whose
        matches are all before any item): the passage the hit's snippet quotes.

        Among the item's matches, the one holding most of the snippet's marked words wins
        (the phrase the query asked for rather than a drug name), then one whose words just
        before it are in the snippet too (the rationale rather than the heading), then the
        first.
        """
        inside = [i for i, (p, _, _) in enumerate(self.matches) if self.item_of(p) == item]
        if not inside:
            return 0 if self.matches and item not in self.anchors else None
        fragments = [snippet.text[start:end] for start, end in snippet.spans]
        marked = set(re.findall(r"\w+", " ".join(fragments).lower()))
        flat = " ".join(snippet.text.split()).lower()

        def score(i: int) -> tuple[int, bool, int]:
            number, a, b = self.matches[i]
            text = self.paragraphs[number].plain.lower()
            words = re.findall(r"\w+", text[a:b])
            before = text[self.body_starts[number] : a].split()[-3:]
            quoted = bool(before) and " ".join([*before, text[a:b]]) in flat
            return sum(w in marked for w in words), quoted, -i

        return max(inside, key=score)


def build_document(letter: Letter, highlight: Highlight) -> Document:
    doc = Document(letter)
    title = Text(for_terminal(doc.name, single_line=True), style="bold")
    if letter.decision_date:
        title.append(f"  decided {letter.decision_date.isoformat()}")
    doc.add(title)
    reviewer = ", ".join(letter.reviewer.specialties)
    if letter.reviewer.states:
        reviewer += f" (licensed in {', '.join(letter.reviewer.states)})"
    if reviewer:
        doc.add(reviewer, "Reviewer")
    patient = [
        f"{letter.patient.age} years" if letter.patient.age else "",
        letter.patient.sex or "",
    ]
    if letter.date_of_injury:
        patient.append(f"injured {letter.date_of_injury.isoformat()}")
    if any(patient):
        doc.add(", ".join(p for p in patient if p), "Patient")
    if letter.case_number:
        file_name = for_terminal(Path(letter.path).name, single_line=True)
        doc.add(Text(file_name), "File")  # the full path: key p
    if letter.summary:
        doc.add("")
        doc.parts[len(doc.paragraphs)] = SUMMARY
        doc.add("Clinical case summary", style=HEADING_STYLE)
        _add_lines(doc, "summary", letter.summary)
    for decision in letter.decisions:
        doc.add("")
        service = for_terminal(decision.service, single_line=True)
        heading = Text(f"Item {decision.number}: {service}  ", style=HEADING_STYLE)
        heading.append_text(outcome_text(decision.outcome))
        doc.anchors[decision.number] = len(doc.paragraphs)
        doc.add(heading, source=("service", decision.service, 0))
        doc.body_starts[-1] = len(f"Item {decision.number}: ")  # the service follows
        if decision.drugs:
            drugs = ", ".join(f"{d.name} ({d.generic}, {d.drug_class})" for d in decision.drugs)
            doc.add(drugs, "Drugs")
        for label, body in (
            *partial_requests(decision),
            ("Claims administrator guideline", decision.ca_guideline),
            ("MAXIMUS guideline", decision.maximus_guideline),
            ("Rationale", decision.rationale),
        ):
            if body:
                section = "rationale" if label == "Rationale" else label.lower()
                doc.add(body, label, source=(section, body, 0))
    if not letter.decisions:
        doc.add("")
        doc.parts[len(doc.paragraphs)] = FULL_TEXT
        doc.add("Full text", style=HEADING_STYLE)
        _add_lines(doc, "text", letter.text)
    if highlight:
        _mark(doc, highlight)
    return doc


def _mark(doc: Document, highlight: Highlight) -> None:
    for number, text in enumerate(doc.paragraphs):
        body = doc.body_starts[number]
        for start, end in spans(text.plain[body:], highlight):
            text.stylize(MATCH_STYLE, body + start, body + end)
            doc.matches.append((number, body + start, body + end))


def _add_lines(doc: Document, section: str, text: str) -> None:
    """Each line of `text` a paragraph that knows where it starts in `text`."""
    offset = 0
    for line in text.split("\n"):
        doc.add(line, source=(section, text, offset))
        offset += len(line) + 1


def cite(doc: Document, match: int, style: str = "text") -> str:
    """A citation of the match `match` where it stands in the letter on screen, in the style
    every front end shares (`api.cite`): the item that holds it (or the part of the letter),
    the date, the page, and the whole sentence(s) around it."""
    letter = doc.letter
    if letter is None:
        raise ValueError("no letter to cite")
    number, start, end = doc.matches[match]
    body = doc.body_starts[number]
    shown = doc.paragraphs[number].plain[body:]
    section, text, offset = doc.sources.get(number, ("", shown, 0))
    length = min(len(shown), len(text) - offset)  # a heading shows the outcome after it
    if shown[:length] != text[offset : offset + length] or end - body > length:
        section, text, offset = "", shown, 0  # made safe for the terminal: cite it as shown
    span = (offset + start - body, offset + end - body)
    part = doc.part_of(number)
    item = doc.item_of(number) if part.startswith("item ") else None
    where = None if item is not None or part == FULL_TEXT else part
    return api.cite_at(letter, item, section, text, span, where, style)
