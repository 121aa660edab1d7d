"""Which documents a search collects, and which it scores.

Only documents with `hit` are returned (decisions, and letters with no decision); the filter
that says so costs an intersection with nearly every document, so it is added only when the
query could match a letter document that has decisions: through a NOT, a field such letter
documents carry, or anything not known to be safe.

Totals are exact, so every match is collected. The top hits by relevance are scored apart where
Whoosh can skip blocks of documents that cannot reach them (terms joined by AND, OR, NOT): a
first pass lists the matches unscored, a second scores only what competes for the first
`limit` places. Everything else is scored as it is collected, in one pass: phrases and
connectors check places document by document (Whoosh's block skipping would pass over the
check), and wildcards, ranges and a summary's words (through its letters) are lists with no
blocks to skip, which a second pass would only read again.
"""

from __future__ import annotations

from whoosh import query as wq

from imrsearch.engine.forms import Forms
from imrsearch.engine.proximity import Near
from imrsearch.engine.query import LetterClause
from imrsearch.engine.schema import pairs_field

# The fields of a letter document whose letter has decisions (`documents.letter_documents`).
_LETTER_FIELDS = frozenset({"kind", "doc_id", "order", "path", "name", "case", "format", "summary"})
_LETTER_FIELDS |= {pairs_field("summary")}


def needs_hit_filter(q) -> bool:
    """Whether `q` could match a document a search must not return."""
    return not _only_hits(q)


def _only_hits(q) -> bool:
    if q is wq.NullQuery or isinstance(q, LetterClause):
        return True  # a letter clause matches decisions and letters with none
    if isinstance(q, (wq.And, wq.Require)):
        return any(_only_hits(child) for child in q.children())
    if isinstance(q, (wq.Or, wq.DisjunctionMax)):
        return all(_only_hits(child) for child in q.children())
    if isinstance(q, (wq.AndNot, wq.AndMaybe)):
        return _only_hits(q.a)
    if isinstance(q, Near) or (q.is_leaf() and not isinstance(q, wq.Every)):
        field = getattr(q, "fieldname", None)
        return field is not None and field not in _LETTER_FIELDS
    return False  # NOT, and whatever else: filter


def scores_apart(q) -> bool:
    """Whether the top hits of `q` are best scored in a pass of their own: its words are
    plain terms (a word's forms included), joined by AND, OR and NOT."""
    for part in _parts(q):
        if isinstance(part, (Near, LetterClause)):
            return False
        if part.is_leaf() and not isinstance(part, (wq.Term, Forms)):
            return False
    return True


def _parts(q):
    yield q
    if not q.is_leaf():
        for child in q.children():
            yield from _parts(child)
