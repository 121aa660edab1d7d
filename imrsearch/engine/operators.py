"""AND, OR, NOT, `-word` and the terms-and-connectors researchers bring from Westlaw and Lexis,
as Whoosh `OperatorsPlugin` entries: `a /s b` (one sentence), `a /p b` (one paragraph),
`a w/5 b` or `a /5 b` (within 5 words), `a pre/5 b` or `a +5 b`, `+s`, `+p` (`a` first).

Whoosh drops an operator that lacks a side (`a AND`, `NOT`); here that is an error at the
operator. A connector's sides are words, phrases, wildcards, ORs of these or other connectors,
and it becomes a `proximity.Near` in each text field both sides search.
"""

from __future__ import annotations

from whoosh import qparser, query
from whoosh.qparser import syntax
from whoosh.qparser.common import attach

from imrsearch.engine.proximity import PARAGRAPH, SENTENCE, WORDS, Near, fields_of, restricted
from imrsearch.engine.registry import user_name
from imrsearch.errors import QueryError

MAX_DISTANCE = 255  # as Westlaw: further apart, /s or /p says it better
CONNECTORS = (
    "a /s b: in one sentence; a /p b: in one paragraph; a w/5 b or a /5 b: within 5 words;"
    " a pre/5 b or a +5 b, a +s b, a +p b: the same with a first"
)


def _neighbour(group, at: int):
    node = group[at] if 0 <= at < len(group) else None
    return None if isinstance(node, syntax.Operator) else node


def _missing(op: syntax.Operator, parser, where: str) -> QueryError:
    return QueryError(
        f"'{op.text.strip()}' needs {where}",
        parser.qstring,
        op.startchar,
        hint="put a word, phrase or (group) there, or remove the operator",
    )


class _Prefix(syntax.PrefixOperator):
    def replace_self(self, parser, group, position):
        if _neighbour(group, position + 1) is None:
            raise _missing(self, parser, "a word, phrase or group after it")
        return super().replace_self(parser, group, position)


def _both_sides(op: syntax.Operator, parser, group, position: int) -> None:
    if _neighbour(group, position - 1) is None or _neighbour(group, position + 1) is None:
        raise _missing(op, parser, "a word, phrase or group on each side")


class _Infix(syntax.InfixOperator):
    def replace_self(self, parser, group, position):
        _both_sides(self, parser, group, position)
        return super().replace_self(parser, group, position)


class _Connector(syntax.InfixOperator):
    def __init__(self, text: str, grouptype, distance: int, ordered: bool) -> None:
        super().__init__(text, grouptype)
        self.distance, self.ordered = distance, ordered

    def replace_self(self, parser, group, position):
        _both_sides(self, parser, group, position)
        joined = self.grouptype(
            [group[position - 1], group[position + 1]],
            text=self.text,
            distance=self.distance,
            ordered=self.ordered,
            at=self.startchar,
        )
        group[position - 1 : position + 2] = [joined]
        return position


class _ConnectorGroup(syntax.GroupNode):
    """Two operands a connector joins; its query is a `Near` per field both sides search."""

    merging = False
    unit: str  # proximity.WORDS, SENTENCE or PARAGRAPH

    def query(self, parser):
        text, at = self.kwargs["text"], self.kwargs["at"]
        sides = [_operand(node, parser, text, at) for node in self.nodes]
        shared = [
            name for name in parser.schema.names() if all(name in fields_of(q) for q in sides)
        ]
        if not shared:
            named = " and ".join(", ".join(sorted(map(user_name, fields_of(q)))) for q in sides)
            raise QueryError(
                f"'{text}' joins words searched in different fields ({named})",
                parser.qstring,
                at,
                hint="both sides must search one text field, e.g. rationale:taper! /s opioid",
            )
        flat = [name for name in shared if not parser.schema[name].format.supports("positions")]
        if flat:
            raise QueryError(
                f"'{user_name(flat[0])}:' holds values, not sentences: '{text}' cannot use it",
                parser.qstring,
                at,
                hint="connectors join words of the text fields: service, rationale, summary,"
                " guideline",
            )
        kwargs = self.kwargs
        nears = [
            Near(
                name,
                restricted(sides[0], name),
                restricted(sides[1], name),
                self.unit,
                kwargs["distance"],
                kwargs["ordered"],
            )
            for name in shared
        ]
        return attach(nears[0] if len(nears) == 1 else query.Or(nears), self)


class _WithinGroup(_ConnectorGroup):
    unit = WORDS


class _SentenceGroup(_ConnectorGroup):
    unit = SENTENCE


class _ParagraphGroup(_ConnectorGroup):
    unit = PARAGRAPH


def _operand(node, parser, text: str, at: int):
    """A connector's side as a query: words, phrases, wildcards, ORs of these, connectors."""
    problem = _operand_problem(node)
    if problem:
        raise QueryError(
            f"'{text}' cannot join {problem}",
            parser.qstring,
            at,
            hint="a connector joins words, phrases or (a OR b); put AND and NOT outside it:"
            " (taper! /s opioid) NOT weaning",
        )
    found = node.query(parser)
    if found is None or found is query.NullQuery:
        raise QueryError(f"'{text}' has nothing to search on one side", parser.qstring, at)
    return found


def _operand_problem(node) -> str | None:
    if isinstance(node, (syntax.TextNode, _ConnectorGroup)):
        return None
    if isinstance(node, syntax.NotGroup):
        return "a NOT"
    if isinstance(node, syntax.OrGroup) or (
        isinstance(node, syntax.AndGroup) and len(node.nodes) == 1
    ):
        return next(filter(None, map(_operand_problem, node.nodes)), None)
    if isinstance(node, syntax.RangeNode):
        return "a range"
    return "an AND" if isinstance(node, syntax.AndGroup) else "this group"


class _ConnectorTagger(qparser.OperatorsPlugin.OpTagger):
    def __init__(self, expr: str, grouptype) -> None:
        super().__init__(expr, grouptype, _Connector)

    def create(self, parser, match):
        raw = match.groupdict().get("n")
        distance = int(raw) if raw else 0
        if raw and not 1 <= distance <= MAX_DISTANCE:
            raise QueryError(
                f"'{match.group(0)}': the distance must be 1 to {MAX_DISTANCE} words",
                parser.qstring,
                match.start(),
                hint="for the same sentence use /s, for the same paragraph /p",
            )
        return _Connector(match.group(0), self.grouptype, distance, bool(match.group("first")))


_EDGE = r"(?<![^\s()])"
_END = r"(?=[\s()]|$)"


_WITHIN = r"(?P<first>pre/|\+)|w/|/"  # w/5, /5; pre/5, +5 with the left side first
_TOGETHER = r"(?P<first>\+)|w/|/"  # /s, w/s; +s with the left side first


def _connector(lead: str, unit: str) -> str:
    """A connector standing alone between blanks or parentheses, in any case (/S, W/5)."""
    return rf"{_EDGE}(?i:(?:{lead}){unit}){_END}"


class Operators(qparser.OperatorsPlugin):
    """Whoosh's operators, checked for their operands, then `-` and the connectors. The order
    below is the binding order: NOT and -, AND, OR, then the connectors (words, sentence,
    paragraph), so `a OR b /s c` is (a OR b) /s c, as Westlaw and Lexis read it."""

    def __init__(self) -> None:
        tagger = qparser.OperatorsPlugin.OpTagger
        ops = [
            (tagger(_EDGE + r"NOT(?=[\s(]|$)", syntax.NotGroup, _Prefix), 0),
            (tagger(r"(?<![^\s(])-(?=[^\s)\-])", syntax.NotGroup, _Prefix), 0),
            (tagger(_EDGE + r"AND" + _END, syntax.AndGroup, _Infix), 0),
            (tagger(_EDGE + r"OR" + _END, syntax.OrGroup, _Infix), 0),
            (tagger(_EDGE + r"ANDNOT" + _END, syntax.AndNotGroup, _Infix), -5),
            (tagger(_EDGE + r"ANDMAYBE" + _END, syntax.AndMaybeGroup, _Infix), -5),
            (tagger(_EDGE + r"REQUIRE" + _END, syntax.RequireGroup, _Infix), 0),
            (_ConnectorTagger(_connector(_WITHIN, r"(?P<n>\d+)"), _WithinGroup), 0),
            (_ConnectorTagger(_connector(_TOGETHER, "s"), _SentenceGroup), 0),
            (_ConnectorTagger(_connector(_TOGETHER, "p"), _ParagraphGroup), 0),
        ]  # fmt: skip
        super().__init__(ops, clean=True)
