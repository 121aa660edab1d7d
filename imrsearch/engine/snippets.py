"""Keyword-in-context snippets that highlight whole phrases, not their every word.

Whoosh's highlighter marks each matched term on its own, so a search for "no provision to
modify" would light up every "to" in the rationale. The matches come from the one shared
highlighter (`imrsearch.highlight`), and the window is centred on the first phrase match,
else on the densest group of matched words.
"""

from __future__ import annotations

from imrsearch.highlight import Highlight, Matches, find
from imrsearch.model import Snippet

WINDOW = 320


def make_snippet(text: str, highlight: Highlight, window: int = WINDOW) -> Snippet | None:
    """`text` cut to about `window` characters around the matches, with where they are; None
    when nothing in `text` matches. Linear in the length of `text`: a letter can be megabytes
    of one repeated word."""
    return snippet_from(text, find(text, highlight), window)


def snippet_from(text: str, matches: Matches, window: int = WINDOW) -> Snippet | None:
    """`make_snippet` with the matches already found (a hit's passage uses them too)."""
    spans = matches.spans
    if not spans:
        return None
    begin, end = bounds(text, matches, window)
    body = text[begin:end]
    first = begin + len(body) - len(body.lstrip())  # the passage without its outer blanks
    last = begin + len(body.rstrip())
    prefix = "… " if begin else ""
    shift = len(prefix) - first
    shown = [
        (max(s, first) + shift, min(e, last) + shift) for s, e in spans if s < last and e > first
    ]
    suffix = " …" if end < len(text) else ""
    return Snippet(prefix + text[first:last] + suffix, tuple(shown))


def bounds(text: str, matches: Matches, window: int = WINDOW) -> tuple[int, int]:
    """Where the snippet of `text` begins and ends: about `window` characters around the first
    phrase match, else the densest group of matched words (`matches` holds at least one)."""
    anchor = matches.phrases[0][0] if matches.phrases else densest(matches.spans, window)
    begin = max(0, anchor - window // 3)
    begin = text.rfind(" ", 0, begin) + 1 if begin else 0
    end = min(len(text), begin + window)
    if end < len(text):
        end = max(text.rfind(" ", begin, end), anchor + 1)
    return begin, end


def densest(spans: list[tuple[int, int]], window: int) -> int:
    """Start of the first span that begins a window holding the most span starts.

    `spans` are sorted and disjoint, so the spans a window starting at span i holds are a run
    from i; its end only moves forward as i does (two pointers, linear).
    """
    best, best_count = spans[0][0], 0
    stop = 0
    for i, (start, _) in enumerate(spans):
        stop = max(stop, i)
        while stop < len(spans) and spans[stop][0] < start + window:
            stop += 1
        if stop - i > best_count:
            best, best_count = start, stop - i
    return best


def lead(text: str, window: int = WINDOW) -> Snippet:
    """The start of `text`, for a hit whose match is in a field not shown (e.g. the summary)."""
    if len(text) <= window:
        return Snippet(text)
    return Snippet(text[: text.rfind(" ", 0, window) or window] + " …")
