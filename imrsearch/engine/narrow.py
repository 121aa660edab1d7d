"""Narrowing a query to one value of a field, and widening it again: operations on the query.

No front end splices query strings. The query is read by the search's own parser into Whoosh's
syntax tree; the clauses it requires are those reached from the top through AND groups only
(words side by side, `AND`, parentheses), so each must hold for a decision to match. The tree is
made of the tagged tokens, so a clause's node is also a token with its place in the user's text:
narrowing appends a clause and keeps that text as typed, widening cuts a clause's exact span.
Each answer is checked before it is returned: it must parse to the original query with the
clause added, or taken out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import BoostPlugin, GroupPlugin, syntax

from imrsearch.engine.query import make_parser, parse_query, straight_quotes
from imrsearch.engine.registry import BY_NAME, FIELDS
from imrsearch.engine.schema import build_schema
from imrsearch.errors import QueryError
from imrsearch.model import QueryField

# A value written bare is one word the parser reads as that word; anything else is quoted.
_WORD = re.compile(r"\w+")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"})
# Operators whose reach a reader could misjudge once a clause follows them: a query with one
# of these outside parentheses is put in parentheses before a clause is appended.
_WRAPPED = (syntax.OrGroup, syntax.AndNotGroup, syntax.AndMaybeGroup, syntax.RequireGroup)


def new_parser():
    """A parser of its own for each caller: Whoosh's parser keeps state while it parses."""
    return make_parser(build_schema())


def narrow(text: str, field: str, value: str, parser=None) -> str:
    """`text` also requiring `field:value`: the user's text with the clause appended (inside
    parentheses first where a top-level OR would otherwise seem to take the clause in), or
    `text` itself when it already requires the value. `QueryError` for a malformed query or a
    value the query language cannot express."""
    parser = parser or new_parser()
    clause = make_clause(parser, field, value)
    clauses = Clauses(parser, text)
    if clauses.spans(clause):
        return text
    expected = wq.And([clauses.query, clause.query])
    appended, wrapped = f"{text.rstrip()} {clause.text}", f"({text.strip()}) {clause.text}"
    # Wrapped too where appending would change what the text before means (`valium OR`).
    candidates = (wrapped,) if clauses.has_loose_operator else (appended, wrapped)
    for candidate in candidates:
        if _means(parser, candidate, expected):
            return candidate
    raise QueryError(f"cannot add {clause.text} to this query", text)


def widen(text: str, field: str, value: str, parser=None) -> str:
    """`text` no longer requiring `field:value`: each top-level clause that requires it cut out,
    with a joining AND and one space; "" when nothing else is left; `text` itself when it does
    not require the value."""
    parser = parser or new_parser()
    clause = make_clause(parser, field, value)
    clauses = Clauses(parser, text)
    spans = clauses.spans(clause)
    if not spans:
        return text
    rest = [q for q in _conjuncts(clauses.query) if _unboosted(q) != clause.query]
    if not rest:
        return ""
    cut = text
    for start, end in reversed(_merged(spans)):
        cut = cut[:start] + cut[end:]
    if not _means(parser, cut, wq.And(rest)):
        raise QueryError(f"cannot take {clause.text} out of this query", text)
    return cut


@dataclass(frozen=True)
class Clause:
    """`field:value` as a user would type it, and what the parser makes of it."""

    text: str
    index: str  # the index field it searches
    query: wq.Query  # normalized, boost 1


def make_clause(parser, field: str, value: str) -> Clause:
    """The clause for `value` in `field` (any name or alias, any letter case): the value bare
    when it is one plain word, else quoted. A quoted phrase cannot hold a double quote or a line
    break, so those are written as single spaces where the field reads them as breaks between
    words anyway; anywhere else the value cannot be expressed and this is a `QueryError`."""
    known = BY_NAME.get(field.lower())
    if known is None:
        raise QueryError(
            f"unknown field '{field}'", field, hint="fields: " + ", ".join(f.name for f in FIELDS)
        )
    if _WORD.fullmatch(value) and value not in _OPERATOR_WORDS:
        text = f"{known.name}:{value}"
    else:
        written = " ".join("".join(" " if _breaks_phrase(c) else c for c in value).split())
        if straight_quotes(written) != value and not _same_words(parser, known, value, written):
            raise QueryError(
                f"the {known.name} value {value!r} cannot be written in a query",
                value,
                hint="its quote marks or line breaks are part of the value",
            )
        text = f'{known.name}:"{written}"'
    try:
        clauses = Clauses(parser, text)
    except QueryError as error:
        raise QueryError(
            f"cannot search {known.name} for {value!r}: {error.message}", text, hint=error.hint
        ) from None
    if not clauses.is_one_clause(known.index, len(text)):
        raise QueryError(f"the {known.name} value {value!r} cannot be written in a query", value)
    return Clause(text, known.index, _unboosted(clauses.query))


def _breaks_phrase(char: str) -> bool:
    return char.isspace() or straight_quotes(char) == '"'


def _same_words(parser, field: QueryField, value: str, written: str) -> bool:
    """Whether the field reads `written`, as the parser passes it on, as `value`'s words."""
    words = parser.schema[field.index].process_text
    try:
        return list(words(value, mode="query")) == list(
            words(straight_quotes(written), mode="query")
        )
    except ValueError:  # a number field's value that is no number
        return False


class Clauses:
    """A query read into Whoosh's syntax tree: what it means, the clauses it requires, and
    where each of those stands in its text."""

    def __init__(self, parser, text: str) -> None:
        parse_query(parser, text)  # the errors a search would raise, as it words them
        self._parser = parser
        typed = straight_quotes(text)  # same length: the places are places in `text`
        parser.qstring = typed
        tagged = parser.tag(typed)
        self._tokens: list[syntax.SyntaxNode] = list(tagged)
        tree = parser.filterize(tagged)
        self.query = tree.query(parser).normalize()
        # The language's filters may put a new node in a token's place (a drug's names as an
        # OR, a word with its plural): a required node is found again by where it stands.
        self._at = {
            token.startchar: i
            for i, token in enumerate(self._tokens)
            if not isinstance(token, (syntax.Whitespace, syntax.FieldnameNode))
        }
        self._required = [n for n in _required(tree) if self._stands_for_a_token(n)]

    @property
    def has_loose_operator(self) -> bool:
        """Whether an OR (or ANDNOT, ANDMAYBE, REQUIRE) stands outside all parentheses."""
        depth = 0
        for token in self._tokens:
            if isinstance(token, GroupPlugin.OpenBracket):
                depth += 1
            elif isinstance(token, GroupPlugin.CloseBracket):
                depth -= 1
            elif (
                depth == 0
                and isinstance(token, syntax.InfixOperator)
                and issubclass(token.grouptype, _WRAPPED)
            ):
                return True
        return False

    def is_one_clause(self, index: str, length: int) -> bool:
        """Whether the query, `length` characters, is a field name and one word or phrase
        after it in the index field `index` (and so its value was read as one value)."""
        if len(self._tokens) != 2 or len(self._required) != 1:
            return False
        name, token = self._tokens
        node = self._required[0]
        return (
            isinstance(name, syntax.FieldnameNode)
            and self._at.get(node.startchar) == 1
            and self._field(node, 1) == index
            and (name.endchar, node.endchar) == (token.startchar, length)
        )

    def _stands_for_a_token(self, node: syntax.SyntaxNode) -> bool:
        """A word or phrase, or a group a filter made in one token's place; not a group the
        user wrote (in parentheses), which spans several tokens."""
        if not isinstance(node, syntax.GroupNode):
            return True
        at = self._at.get(node.startchar)
        return at is not None and self._tokens[at].endchar == node.endchar

    def _field(self, node: syntax.SyntaxNode, at: int) -> str | None:
        """The index field a required node searches: its own, or its field name token's."""
        field = getattr(node, "fieldname", None)
        if field is None and at > 0 and isinstance(self._tokens[at - 1], syntax.FieldnameNode):
            named = BY_NAME.get(self._tokens[at - 1].fieldname.lower())
            field = named.index if named else self._tokens[at - 1].fieldname
        return field

    def requires(self, field: str, value: str) -> bool:
        """Whether a top-level clause requires `value` in `field` (for facets' `selected`)."""
        index = BY_NAME[field].index
        if not any(
            self._field(node, self._at.get(node.startchar, 0)) == index for node in self._required
        ):
            return False
        try:
            return bool(self.spans(make_clause(self._parser, field, value)))
        except QueryError:  # a value no query can name is not one this query requires
            return False

    def spans(self, clause: Clause) -> list[tuple[int, int]]:
        """Where the top-level clauses that mean `clause` stand, each with what goes if it
        goes: its field name, boost, parentheses around it alone, a joining AND, one space."""
        found = []
        for node in self._required:
            at = self._at.get(node.startchar)
            if at is None or self._field(node, at) != clause.index:
                continue
            if _unboosted(node.query(self._parser)) == clause.query:
                found.append(self._span(at))
        return found

    def _span(self, at: int) -> tuple[int, int]:
        tokens = self._tokens
        first, last = self._with_name_and_boost(at, at)
        while (outer := self._parentheses_around(first, last)) is not None:
            first, last = self._with_name_and_boost(*outer)
        before, after = self._step(first, -1), self._step(last, +1)
        if before is not None and _is_and(tokens[before]):
            first = before
        elif after is not None and _is_and(tokens[after]):
            last = after
        space_before = first >= 2 and isinstance(tokens[first - 1], syntax.Whitespace)
        if space_before and not isinstance(tokens[first - 2], GroupPlugin.OpenBracket):
            first -= 1
        elif last + 1 < len(tokens) and isinstance(tokens[last + 1], syntax.Whitespace):
            last += 1
        return tokens[first].startchar, tokens[last].endchar

    def _with_name_and_boost(self, first: int, last: int) -> tuple[int, int]:
        tokens = self._tokens
        if first > 0 and isinstance(tokens[first - 1], syntax.FieldnameNode):
            first -= 1
        if last + 1 < len(tokens) and isinstance(tokens[last + 1], BoostPlugin.BoostNode):
            last += 1
        return first, last

    def _parentheses_around(self, first: int, last: int) -> tuple[int, int] | None:
        """The parentheses around tokens `first`..`last` when they hold nothing else."""
        before, after = self._step(first, -1), self._step(last, +1)
        if before is None or after is None:
            return None
        opens = isinstance(self._tokens[before], GroupPlugin.OpenBracket)
        closes = isinstance(self._tokens[after], GroupPlugin.CloseBracket)
        return (before, after) if opens and closes else None

    def _step(self, i: int, direction: int) -> int | None:
        """The next token from `i` in `direction` that is not white space, if any."""
        i += direction
        while 0 <= i < len(self._tokens) and isinstance(self._tokens[i], syntax.Whitespace):
            i += direction
        return i if 0 <= i < len(self._tokens) else None


def _required(node) -> Iterator[syntax.SyntaxNode]:
    """The nodes under `node` that a match must satisfy, descending through AND groups only."""
    if isinstance(node, syntax.AndGroup):
        for child in node:
            yield from _required(child)
    else:
        yield node


def _is_and(token) -> bool:
    return isinstance(token, syntax.InfixOperator) and token.grouptype is syntax.AndGroup


def _unboosted(q: wq.Query) -> wq.Query:
    """A boost reorders hits but changes no match, so clauses compare without one."""
    return q.normalize().with_boost(1.0)


def _conjuncts(q: wq.Query) -> list[wq.Query]:
    return list(q.subqueries) if type(q) is wq.And else [q]


def _means(parser, text: str, expected: wq.Query) -> bool:
    """Whether `text` parses to `expected` (both as the parser's syntax tree makes them)."""
    try:
        return Clauses(parser, text).query == expected.normalize()
    except QueryError:
        return False


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
