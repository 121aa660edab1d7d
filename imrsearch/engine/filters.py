"""A constant-score clause (a number or date range) listed from its words' postings.

Whoosh compiles `age:>=50` into an OR of word ranges, each an OR of the words it reaches, and
lists the documents of that tree up front (`ConstantScoreQuery`): at 100,000 letters a range
that matched 160,000 decisions walked the tree of OR matchers for a second. The same documents
are the union of each word's postings, which are read here one word at a time and merged: an
OR of words matches exactly the documents holding one of them. A clause of any other shape
is listed as Whoosh lists it.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh import matching
from whoosh.query import MultiTerm, Or, Term
from whoosh.query.wrappers import ConstantScoreQuery
from whoosh.searching import SearchContext


def _words(q: Any, reader: Any) -> list[Term] | None:
    """The words of an OR of words and word ranges, or None for any other shape."""
    if isinstance(q, Term):
        return [q]
    if isinstance(q, MultiTerm):
        return [Term(q.field(), word) for word in q._btexts(reader)]
    if isinstance(q, Or):
        found: list[Term] = []
        for child in q.children():
            words = _words(child, reader)
            if words is None:
                return None
            found.extend(words)
        return found
    return None


def _matcher(self: ConstantScoreQuery, searcher: Any, context: Any = None) -> Any:
    context = context or SearchContext()
    words = None if context.needs_current else _words(self.child, searcher.reader())
    if words is None:
        return _whoosh_matcher(self, searcher, context)
    ids: set[int] = set()
    for word in words:
        ids.update(word.matcher(searcher, context).all_ids())
    if not ids:
        return matching.NullMatcher()
    return matching.ListMatcher(array("I", sorted(ids)), all_weights=self.score)


_whoosh_matcher = ConstantScoreQuery.matcher
ConstantScoreQuery.matcher = _matcher
