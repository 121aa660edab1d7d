"""A hit's passage as a citation quotes it: the whole sentence(s) holding the matches its
snippet shows, and the letter's pages they stand on.

Sentences end where the index's sentence connector (`/s`) says they do
(`schema.break_between`), and at paragraph breaks, so a quoted passage is the sentence `/s`
matched in. A text with no sentence end within `REACH` characters of the match (a table, a
run of words) is cut at a word instead, and the passage says so (`Passage.cut_before`,
`cut_after`): a citation marks the cut rather than pass a fragment off as a sentence.
"""

from __future__ import annotations

import bisect
import itertools
import re

from imrsearch.engine.schema import break_between
from imrsearch.engine.snippets import WINDOW, bounds
from imrsearch.highlight import Highlight, Matches, find, tokens
from imrsearch.model import PageMarks, Passage, pages_between

REACH = 3000  # characters searched on each side of the matches for a sentence's end
_SPACE = re.compile(r"\s+")


def passage(
    text: str,
    highlight: Highlight,
    marks: PageMarks,
    section: str,
    window: int = WINDOW,
    matches: Matches | None = None,
) -> Passage | None:
    """The sentence(s) of `text` holding the matches its snippet shows (the first sentence
    when `highlight` finds nothing in it); None for an empty text. `matches`: those of
    `highlight` in `text`, when the snippet has found them already."""
    if not text.strip():
        return None
    if matches is None:
        matches = find(text, highlight)
    if matches.spans:
        begin, end = bounds(text, matches, window)
        shown = [(s, e) for s, e in matches.spans if s < end and e > begin]
        first, last = shown[0][0], shown[-1][1]
    else:
        shown = []
        first = last = len(text) - len(text.lstrip())
    start, cut_before = _sentence_start(text, first)
    stop, cut_after = _sentence_stop(text, last)
    inside = [(max(s, start), min(e, stop)) for s, e in shown if s < stop and e > start]
    quoted, spans = _folded(text[start:stop], [(s - start, e - start) for s, e in inside])
    pages = pages_between(marks, start, stop)
    return Passage(quoted, spans, pages, section, cut_before, cut_after)


def _sentence_start(text: str, at: int) -> tuple[int, bool]:
    """Where the sentence holding offset `at` (a word's start) begins, and whether no
    beginning was found within `REACH`."""
    low = max(0, at - REACH)
    words = [*tokens(text[low:at]), ("", at - low, at - low)]
    start: int | None = None
    for (previous, _, prev_end), (_, begin, _) in itertools.pairwise(words):
        if prev_end < begin and break_between(text, low + prev_end, low + begin, previous):
            start = low + prev_end + _last_space(text[low + prev_end : low + begin])
    if start is not None:
        return start, False
    if low == 0:
        return len(text) - len(text.lstrip()), False
    return low + words[0][1], True


def _sentence_stop(text: str, at: int) -> tuple[int, bool]:
    """Where the sentence holding the character before `at` ends, and whether no end was
    found."""
    high = min(len(text), at + REACH)
    words = tokens(text[at:high])
    # the word the match ends with, so the first gap checked is the one right after it
    before = tokens(text[max(0, at - 200) : at])
    previous, prev_end = (before[-1][0], at) if before else ("", at)
    for word, begin, end in words:
        if begin + at > prev_end and break_between(text, prev_end, at + begin, previous):
            gap = text[prev_end : at + begin]  # the sentence's end, a blank, the next one's start
            return prev_end + next(i for i, ch in enumerate(gap) if ch.isspace()), False
        previous, prev_end = word, at + end
    if high == len(text):
        return len(text.rstrip()), False
    return prev_end, True


def _last_space(gap: str) -> int:
    """The offset in `gap` just after its last blank: what follows it opens the sentence."""
    for i in range(len(gap) - 1, -1, -1):
        if gap[i].isspace():
            return i + 1
    return len(gap)


def _folded(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`text` with each run of blanks (line and page breaks among them) as one space, and
    `spans` moved to match."""
    out: list[str] = []
    shift: list[tuple[int, int]] = []  # (offset in text, characters removed before it)
    removed = 0
    cursor = 0
    for blank in _SPACE.finditer(text):
        out.append(text[cursor : blank.start()])
        out.append(" ")
        removed += len(blank.group()) - 1
        shift.append((blank.end(), removed))
        cursor = blank.end()
    out.append(text[cursor:])

    starts = [at for at, _ in shift]

    def moved(offset: int) -> int:
        i = bisect.bisect_right(starts, offset)
        return offset - (shift[i - 1][1] if i else 0)

    return "".join(out), tuple((moved(s), moved(e)) for s, e in spans)
