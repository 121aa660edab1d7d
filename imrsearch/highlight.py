"""Where a query's words stand in a text: the one highlighter every view uses.

The engine says what a query matches as plain data (`Highlight`: the words, with wildcards,
fuzzy terms and drug names already expanded against the index and the lexicon, and the
phrases); `find` turns that into character spans over any text, tokenised as the index
tokenises it. Snippets, `show --query`, the TUI preview and any later view call this and
nothing else, so they mark the same words. Linear in the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from imrsearch.model import Highlight

# The expression of Whoosh's RegexTokenizer, which the index's analyzer uses (a test pins the
# two together): whoosh-reloaded counts "*" as a word character.
_WORD = re.compile(r"[\w\*]+(\.?[\w\*]+)*")

Span = tuple[int, int]


@dataclass(frozen=True)
class Matches:
    phrases: list[Span]  # where each phrase occurrence starts and ends, in text order
    spans: list[Span]  # every match, phrases and words, merged and in order


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(word in lower case, start, end) for each word of `text`, as the index reads it."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def find(text: str, highlight: Highlight) -> Matches:
    """The matches of `highlight` in `text`: a phrase only as a whole run of its words."""
    if not highlight:
        return Matches([], [])
    found = tokens(text)
    words = [w for w, _, _ in found]
    phrase_spans = sorted(
        (found[i][1], found[i + len(phrase) - 1][2])
        for phrase in highlight.phrases
        for i in phrase_starts(words, phrase)
    )
    in_phrases = {w for phrase in highlight.phrases for w in phrase}
    single = [(s, e) for w, s, e in found if w in highlight.words and w not in in_phrases]
    return Matches(phrase_spans, merge(sorted(phrase_spans + single)))


def spans(text: str, highlight: Highlight) -> list[Span]:
    return find(text, highlight).spans


def phrase_starts(words: list[str], phrase: tuple[str, ...] | list[str]) -> list[int]:
    """Where each occurrence of `phrase` starts in `words`, overlapping ones included.

    Knuth-Morris-Pratt, linear in both: comparing a slice at every position costs the
    phrase's length at each word of the letter.
    """
    if not phrase:
        return []
    fallback = [0] * len(phrase)  # longest proper prefix of phrase[: i + 1] that ends it
    k = 0
    for i in range(1, len(phrase)):
        while k and phrase[i] != phrase[k]:
            k = fallback[k - 1]
        if phrase[i] == phrase[k]:
            k += 1
        fallback[i] = k
    starts = []
    k = 0
    for i, word in enumerate(words):
        while k and word != phrase[k]:
            k = fallback[k - 1]
        if word == phrase[k]:
            k += 1
        if k == len(phrase):
            starts.append(i - k + 1)
            k = fallback[k - 1]
    return starts


def merge(sorted_spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined into one."""
    merged: list[Span] = []
    for start, end in sorted_spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
