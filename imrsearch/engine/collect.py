"""Which documents a search must filter out.

Only documents with `hit` are returned (decisions, and letters with no decision); the filter
that says so costs an intersection with nearly every document, so it is added only when the
query could match a letter document that has decisions: through a NOT, a field such letter
documents carry, or anything not known to be safe.
"""

from __future__ import annotations

from whoosh import query as wq

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
