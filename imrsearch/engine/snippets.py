"""Keyword-in-context snippets that highlight whole phrases, not their every word.

Whoosh's highlighter marks each matched term on its own, so a search for "no provision to
modify" would light up every "to" in the rationale. Here phrases are found as runs of tokens
(through the field's own analyzer, so what matched in the index is what is marked), and the
window is centred on the first phrase match, else on the densest group of matched terms.
"""

from __future__ import annotations

from whoosh import query as wq

from imrsearch.model import MATCH_END, MATCH_START

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
) -> str | None:
    """`text` cut to about `window` characters around the matches, matches marked; None
    when nothing in `text` matches."""
    tokens = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True)]
    spans: list[tuple[int, int]] = []
    words = [t[0] for t in tokens]
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(words) - size + 1):
            if words[i : i + size] == phrase:
                spans.append((tokens[i][1], tokens[i + size - 1][2]))
    phrase_spans = sorted(spans)
    in_phrases = {w for p in phrases for w in p}
    for word, start, end in tokens:
        if word in terms and word not in in_phrases:
            spans.append((start, end))
    spans = _merge(sorted(spans))
    if not spans:
        return None
    anchor = phrase_spans[0][0] if phrase_spans else _densest(spans, window)
    begin = max(0, anchor - window // 3)
    begin = text.rfind(" ", 0, begin) + 1 if begin else 0
    end = min(len(text), begin + window)
    if end < len(text):
        end = max(text.rfind(" ", begin, end), anchor + 1)
    out = []
    cursor = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out.append(text[cursor:start])
        out.append(MATCH_START + text[start:stop] + MATCH_END)
        cursor = stop
    out.append(text[cursor:end])
    return ("… " if begin else "") + "".join(out).strip() + (" …" if end < len(text) else "")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _densest(spans: list[tuple[int, int]], window: int) -> int:
    """Start of the span that begins the window holding the most matches."""
    best, best_count = spans[0][0], 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, _ in spans[i:] if s < start + window)
        if count > best_count:
            best, best_count = start, count
    return best


def lead(text: str, window: int = WINDOW) -> str:
    """The start of `text`, for a hit whose match is in a field not shown (e.g. the summary)."""
    if len(text) <= window:
        return text
    return text[: text.rfind(" ", 0, window) or window] + " …"
