"""Which page of a letter each parsed section stands on.

The parser reads normalised text (form feeds become line breaks, lines are folded into one),
so a section's text carries no page breaks of its own. Its words do: normalising only changes
spaces, quotes and dashes, never the words `highlight.tokens` reads, so a section's words are
a run of the letter's words, and each of those words lies on a known page (a form feed ends a
page; PDF extraction joins pages with one). A section whose words are not found as a run of
the letter's (a section the parser put together) gets no page marks rather than wrong ones.
"""

from __future__ import annotations

from collections import defaultdict

from imrsearch.highlight import tokens
from imrsearch.ingest.normalize import CHARACTERS
from imrsearch.model import Letter, PageMarks

# Words compared before a candidate start is checked whole; candidates checked at most, so a
# letter of one repeated word cannot make this quadratic.
_PROBE = 16
_MAX_CANDIDATES = 64


class _Words:
    """The letter's words in order, the page of each, and where each word occurs."""

    def __init__(self, text: str) -> None:
        self.words: list[str] = []
        self.pages: list[int] = []
        for number, page in enumerate(text.split("\f"), start=1):
            for word, _, _ in tokens(page.translate(CHARACTERS)):
                self.words.append(word)
                self.pages.append(number)
        self.at: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(self.words):
            self.at[word].append(position)

    def find(self, run: list[str], after: int) -> int | None:
        """Where `run` starts as consecutive words, preferring the first start at or after
        `after`; None if nowhere."""
        starts = self.at.get(run[0], [])
        ordered = [p for p in starts if p >= after] + [p for p in starts if p < after]
        probe = run[:_PROBE]
        for tried, start in enumerate(ordered):
            if tried == _MAX_CANDIDATES:
                return None
            if self.words[start : start + len(probe)] != probe:
                continue
            if self.words[start : start + len(run)] == run:
                return start
        return None


def section_marks(words: _Words, text: str, after: int = 0) -> tuple[PageMarks, int]:
    """Where pages begin in `text` (a section), and the word after it in the letter (where
    the next section's search starts); ([], after) when its words are not found."""
    found = tokens(text)
    if not found:
        return [], after
    start = words.find([w for w, _, _ in found], after)
    if start is None:
        return [], after
    marks: PageMarks = []
    for i, (_, begin, _) in enumerate(found):
        page = words.pages[start + i]
        if not marks or marks[-1][1] != page:
            marks.append((0 if not marks else begin, page))
    return marks, start + len(found)


def mark_pages(letter: Letter) -> None:
    """Give each decision the page marks of its item and rationale (`Decision.pages`)."""
    if not letter.decisions:
        return
    words = _Words(letter.text)
    cursor = 0
    for decision in letter.decisions:
        pages: dict[str, PageMarks] = {}
        service, _ = section_marks(words, decision.service, cursor)
        if service:
            pages["service"] = service
        rationale, after = section_marks(words, decision.rationale, cursor)
        if rationale:
            pages["rationale"] = rationale
            cursor = after
        decision.pages = pages
