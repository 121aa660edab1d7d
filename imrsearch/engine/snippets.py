"""Keyword-in-context snippets that highlight whole phrases, not their every word.

Whoosh's highlighter marks each matched term on its own, so a search for "no provision to
modify" would light up every "to" in the rationale. Here phrases are found as runs of tokens
(through the field's own analyzer, so what matched in the index is what is marked), and the
window is centred on the first phrase match, else on the densest group of matched terms.
"""

from __future__ import annotations

from whoosh import query as wq

from imrsearch.model import Snippet

WINDOW = 320


def query_phrases(parsed, field: str) -> list[list[str]]:
    """The word sequences of the query's phrases on `field`."""
    found = []
    for part in _walk(parsed):
        if isinstance(part, wq.Phrase) and part.fieldname == field:
            found.append(list(part.words))
    return found


def _walk(q):
    yield q
    if not q.is_leaf():
        for child in q.children():
            yield from _walk(child)


def make_snippet(
    text: str, analyzer, terms: set[str], phrases: list[list[str]], window: int = WINDOW
) -> Snippet | None:
    """`text` cut to about `window` characters around the matches, with where they are; None
    when nothing in `text` matches. Linear in the length of `text`: a letter can be megabytes
    of one repeated word."""
    tokens = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True)]
    words = [t[0] for t in tokens]
    phrase_spans = sorted(
        (tokens[i][1], tokens[i + len(phrase) - 1][2])
        for phrase in phrases
        for i in phrase_starts(words, phrase)
    )
    in_phrases = {w for p in phrases for w in p}
    spans = phrase_spans + [(s, e) for w, s, e in tokens if w in terms and w not in in_phrases]
    spans = _merge(sorted(spans))
    if not spans:
        return None
    anchor = phrase_spans[0][0] if phrase_spans else densest(spans, window)
    begin = max(0, anchor - window // 3)
    begin = text.rfind(" ", 0, begin) + 1 if begin else 0
    end = min(len(text), begin + window)
    if end < len(text):
        end = max(text.rfind(" ", begin, end), anchor + 1)
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


def phrase_starts(words: list[str], phrase: list[str]) -> list[int]:
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
    found = []
    k = 0
    for i, word in enumerate(words):
        while k and word != phrase[k]:
            k = fallback[k - 1]
        if word == phrase[k]:
            k += 1
        if k == len(phrase):
            found.append(i - k + 1)
            k = fallback[k - 1]
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


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
