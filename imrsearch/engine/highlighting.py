"""A parsed query → `Highlight`: the words and phrases it looks for in the letter's text.

Only here is the query tree walked for highlighting. Negated parts are left out; wildcards,
fuzzy terms, ranges and an unquoted word's singular and plural become the index words they
matched (bounded by `query.check_expansion`, which runs first); a drug name becomes every name
the lexicon gives its drug, since `drug:valium` finds letters that say "diazepam"; a
connector's two sides are marked as words and phrases are.
"""

from __future__ import annotations

from whoosh import query as wq

from imrsearch.highlight import tokens
from imrsearch.model import Highlight
from imrsearch.vocab.drugs import equivalents

# The fields whose words stand in the letter's text (the rest are codes, dates, numbers, and
# drug classes, which are categories rather than words of the text); `text` is the whole text
# of a letter with no decision.
TEXT_FIELDS = frozenset({"service", "rationale", "summary", "guideline", "drug", "text"})


def query_highlight(parsed: wq.Query, reader) -> Highlight:
    # A loop, not a recursive closure: a closure that calls itself is a reference cycle, and
    # one holding the reader kept the index's files mapped until the garbage collector ran.
    words: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    pending = [parsed]
    while pending:
        node = pending.pop()
        if isinstance(node, wq.Not):
            continue
        if not node.is_leaf():
            pending.extend(node.children())
            continue
        field = getattr(node, "fieldname", None)
        if field not in TEXT_FIELDS:
            continue
        if isinstance(node, wq.Phrase):
            phrases.add(tuple(node.words))
            continue
        if isinstance(node, wq.MultiTerm):
            found = [_text(b) for b in node._btexts(reader)]
        else:
            found = [_text(t) for _, t in node.iter_all_terms()]
        for word in found:
            names = equivalents(word) | {word} if field == "drug" else {word}
            for name in names:
                _add(name, words, phrases)
    return Highlight(frozenset(words), frozenset(phrases))


def _add(text: str, words: set[str], phrases: set[tuple[str, ...]]) -> None:
    """A name of several words ("hydrocodone bitartrate") is marked as a phrase."""
    found = tuple(word for word, _, _ in tokens(text))
    if len(found) == 1:
        words.add(found[0])
    elif found:
        phrases.add(found)


def _text(term: bytes | str) -> str:
    return term.decode("utf-8", "replace") if isinstance(term, bytes) else term
