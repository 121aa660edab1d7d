"""The query language: Whoosh's syntax over the letter fields, with short aliases.

Extensions are parser plugins working on syntax nodes, never rewrites of the user's string:
an alias plugin, a checker that turns unknown fields, missing values, unbounded wildcards,
bad boosts and unreadable dates into `QueryError`s that point at the character, and a filter
that reads US dates (12/01/2016) in date fields; connectors, plurals, synonyms and closed
vocabularies are in `engine.plugins`. Only lexical checks that Whoosh silently forgives (an
unbalanced quote or parenthesis) are made on the string itself. What needs the index (how many
words a wildcard or fuzzy term stands for) is checked by `check_expansion` just before
searching.
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import date, timedelta

from whoosh import matching, qparser, query
from whoosh.qparser import syntax

from imrsearch.engine import bulk, plugins
from imrsearch.engine.forms import Forms
from imrsearch.engine.plugins import typed_at
from imrsearch.engine.proximity import Near, ProsePhrase
from imrsearch.engine.registry import BY_INDEX, DEFAULT_FIELDS, FIELDS, user_name
from imrsearch.engine.schema import HIT, KIND_LETTER
from imrsearch.errors import QueryError
from imrsearch.vocab.dates import parse_date

_DATE_FIELDS = {f.index for f in FIELDS if f.kind == "date"}
_NUMERIC_FIELDS = {f.index for f in FIELDS if f.kind == "number"}
_MIN_WILDCARD_PREFIX = 2
# Each extra edit multiplies the terms a fuzzy search must try: ~8 took minutes.
_MAX_FUZZY = 2
# A boost only reorders the hits; outside (0, MAX_BOOST] Whoosh lets it change which match.
MAX_BOOST = 100.0
_BOOST_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
# Index words one wildcard, fuzzy term or range may stand for in one field, and a whole query:
# each is a list of documents to merge, and `a~2` (hundreds of short words) took seconds.
MAX_EXPANSION = 100
MAX_EXPANSION_TOTAL = 300

# Typed or pasted from a PDF: curly quotes mean quotes.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"})


class _CheckPlugin(qparser.Plugin):
    """Refuses what Whoosh would silently turn into something else (runs after aliases)."""

    def filters(self, parser):
        return [(self._check, 95), (self._values, 105)]

    def _check(self, parser, group):
        nodes = list(group)
        for i, node in enumerate(nodes):
            if isinstance(node, syntax.FieldnameNode):
                if node.fieldname not in BY_INDEX:
                    raise QueryError(
                        f"unknown field '{node.fieldname}'",
                        parser.qstring,
                        node.startchar,
                        hint="fields: "
                        + ", ".join(f.name for f in FIELDS)
                        + ' (to search the words themselves, put them in "quotes")',
                    )
                following = nodes[i + 1] if i + 1 < len(nodes) else None
                if isinstance(following, qparser.GtLtPlugin.GtLtNode):  # "age:>", nothing after
                    following = nodes[i + 2] if i + 2 < len(nodes) else None
                if following is None or isinstance(following, (syntax.Whitespace, syntax.Operator)):
                    raise QueryError(
                        f"field '{BY_INDEX[node.fieldname].name}:' has no value",
                        parser.qstring,
                        node.startchar,
                        hint=f"for example {_example(node.fieldname)}",
                    )
            elif isinstance(node, syntax.GroupNode):
                self._check(parser, node)
            elif isinstance(node, qparser.FuzzyTermPlugin.FuzzyTermNode) and (
                node.maxdist > _MAX_FUZZY
            ):
                raise QueryError(
                    f"fuzzy distance {node.maxdist} is too wide",
                    parser.qstring,
                    typed_at(parser.qstring, f"{node.text}~", node),
                    hint=f"use ~1 or ~{_MAX_FUZZY} (letters changed, added or dropped)",
                )
            elif isinstance(node, (qparser.WildcardPlugin.WildcardNode, _PREFIX)):
                pattern = _typed_pattern(node)
                literal = re.split(r"[*?]", node.text, maxsplit=1)[0]
                if len(literal) < _MIN_WILDCARD_PREFIX:
                    raise QueryError(
                        f"wildcard '{pattern}' would scan the whole vocabulary",
                        parser.qstring,
                        typed_at(parser.qstring, pattern, node),
                        hint=f"start it with at least {_MIN_WILDCARD_PREFIX} letters, e.g. modif*",
                    )
        return group

    def _values(self, parser, group):
        """Numbers and dates (runs after Whoosh has given each node its field)."""
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self._values(parser, node)
            elif (
                isinstance(node, qparser.PhrasePlugin.PhraseNode)
                and len(node.text.split()) > 1
                and not _has_positions(parser, node)
            ):
                raise QueryError(
                    f"field '{user_name(node.fieldname)}:' takes one value, not a phrase",
                    parser.qstring,
                    node.startchar,
                    hint=f"for example {_example(node.fieldname)}",
                )
            elif getattr(node, "fieldname", None) in _NUMERIC_FIELDS:
                for value in _node_values(node):
                    if value is not None and value != "*" and not value.lstrip("-").isdigit():
                        raise QueryError(
                            f"'{value}' is not a whole number",
                            parser.qstring,
                            node.startchar,
                            hint=f"for example {_example(node.fieldname)}",
                        )
            elif getattr(node, "fieldname", None) in _DATE_FIELDS:
                if isinstance(node, syntax.RangeNode):
                    # Whoosh's date ranges ignore exclusivity: `>2017-01-05` must start on
                    # the 6th and `<2017` end in 2016, so exclusive ends move one unit inward.
                    start = _compact_date(node.start, parser.qstring, node)
                    end = _compact_date(node.end, parser.qstring, node)
                    if start and node.startexcl:
                        start, node.startexcl = _step(start, +1), False
                    if end and node.endexcl:
                        end, node.endexcl = _step(end, -1), False
                    node.start, node.end = start, end
                elif node.has_text:
                    node.text = _compact_date(node.text, parser.qstring, node)
        return group


class _BoostPlugin(qparser.BoostPlugin):
    """Whoosh's `term^2`, refused unless the boost is a plain number in (0, MAX_BOOST].

    Whoosh reads `^0` as a boost that drops matches, and `^-1` or `^1e30` as part of the word
    (searching for "1e30" too), so each changed how many decisions match. Everything from a
    `^` to the next blank or parenthesis is read here, so none of these reaches Whoosh.
    """

    expr = r"\^(?P<boost>[^\s()]*)"

    def create(self, parser, match):
        raw = match.group("boost")
        value = float(raw) if _BOOST_NUMBER.fullmatch(raw) else math.nan
        if not 0 < value <= MAX_BOOST:
            raise QueryError(
                f"'^{raw}' is not a boost" if raw else "'^' without a boost after it",
                parser.qstring,
                match.start(),
                hint=f"a boost ranks a word higher: a number above 0 and at most {MAX_BOOST:g},"
                " e.g. valium^2",
            )
        return self.BoostNode(match.group(0), value)


def check_expansion(parsed, reader, qstring: str) -> None:
    """`QueryError` if the query's wildcards, fuzzy terms and ranges stand for more index words
    than MAX_EXPANSION in one field or MAX_EXPANSION_TOTAL in all. Counted before searching,
    stopping one word past the limit, so the check costs no more than the limit."""
    total = 0
    for leaf in parsed.leaves():
        # A word's plural and singular are a few spellings at most, not a scan of the index.
        if not isinstance(leaf, query.MultiTerm) or isinstance(leaf, Forms):
            continue
        limit = min(MAX_EXPANSION, MAX_EXPANSION_TOTAL - total)
        count = sum(1 for _ in itertools.islice(leaf.expanded_terms(reader), limit + 1))
        if count <= limit:
            total += count
            continue
        shown, typed, hint = _expansion_help(leaf)
        field = user_name(leaf.fieldname)
        if limit == MAX_EXPANSION:
            message = (
                f"'{shown}' matches more than {MAX_EXPANSION} different words in the {field} field"
            )
        else:
            message = (
                f"the query's wildcards, fuzzy terms and ranges match more than"
                f" {MAX_EXPANSION_TOTAL} different words in all; '{shown}' went past that"
            )
        at = typed_at(qstring.lower(), typed, leaf) if typed else None
        raise QueryError(message, qstring, at, hint=hint)


def _expansion_help(leaf) -> tuple[str, str, str]:
    """`leaf` as the user wrote it, the part of that to find in the query (lower case; empty
    when it cannot be found), and what would make it match fewer words."""
    if isinstance(leaf, query.FuzzyTerm):
        hint = "use fewer edits (~1) or a longer word"
        return f"{leaf.text}~{leaf.maxdist}", f"{leaf.text}~", hint
    if isinstance(leaf, query.TermRange):
        return f"[{leaf.start} TO {leaf.end}]", "", "narrow the range"
    typed = f"{leaf.text}*" if isinstance(leaf, query.Prefix) else leaf.text
    return typed, typed, "put more letters before the * or ?, e.g. modif* rather than mo*"


_PREFIX = qparser.PrefixPlugin.PrefixNode


def _typed_pattern(node) -> str:
    if isinstance(node, plugins.RootNode):
        return node.typed()
    return node.text + ("*" if isinstance(node, _PREFIX) else "")


def _has_positions(parser, node) -> bool:
    names = parser.schema.names() if parser.schema else ()
    field = parser.schema[node.fieldname] if node.fieldname in names else None
    return field is None or field.format is None or field.format.supports("positions")


def _example(index_field: str) -> str:
    return BY_INDEX[index_field].example


def _node_values(node) -> list[str | None]:
    if isinstance(node, syntax.RangeNode):
        return [node.start, node.end]
    return [node.text] if node.has_text else []


def _step(compact: str, direction: int) -> str:
    """The next (+1) or previous (-1) year, month or day of a compact date, same precision."""
    year = int(compact[:4])
    if len(compact) == 4:
        return f"{year + direction:04d}"
    if len(compact) == 6:
        months = year * 12 + int(compact[4:6]) - 1 + direction
        return f"{months // 12:04d}{months % 12 + 1:02d}"
    day = date(year, int(compact[4:6]), int(compact[6:8])) + timedelta(days=direction)
    return day.strftime("%Y%m%d")


def _compact_date(text: str | None, qstring: str, node) -> str | None:
    """ISO (2016-12-01), partial (2016-12, 2016) or US (12/01/2016) → Whoosh's 20161201."""
    if text is None:
        return None
    iso = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if iso:
        year, month, day = (int(g) if g else 1 for g in iso.groups())
        try:
            date(year, month, day)
        except ValueError:
            iso = None
        else:
            return "".join(f"{int(g):02d}" if i else g for i, g in enumerate(iso.groups()) if g)
    us_date = parse_date(text) if iso is None and "/" in text else None
    if us_date:
        return us_date.strftime("%Y%m%d")
    raise QueryError(
        f"'{text}' is not a date",
        qstring,
        node.startchar,
        hint="write dates as 2016-12-01 (a day), 2016-12 (a month) or 2016 (a year)",
    )


def make_parser(schema):
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, phraseclass=ProsePhrase)
    parser.add_plugin(
        qparser.FieldAliasPlugin({f.index: list(f.names) for f in FIELDS if f.names != (f.index,)})
    )
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.add_plugin(_BoostPlugin())
    parser.remove_plugin_class(qparser.OperatorsPlugin)
    parser.add_plugins(plugins.plugins())
    parser.add_plugin(_CheckPlugin())
    return parser


def straight_quotes(text: str) -> str:
    """The query as the parser reads it: curly quotes as plain ones, character for character."""
    return text.translate(_QUOTES)


def parse_query(parser, text: str):
    """The user's query as a Whoosh query over decision documents, or `QueryError`."""
    text = straight_quotes(text)
    if not text.strip():
        raise QueryError(
            "the query is empty", text, 0, hint='try: drug:valium "no provision to modify"'
        )
    _check_balance(text)
    parser.qstring = text
    try:
        parsed = parser.parse(text)
    except QueryError:
        raise
    except Exception as exc:  # Whoosh raises bare exceptions for some malformed ranges
        raise QueryError(f"cannot read the query: {exc}", text) from None
    for part in parsed.leaves():
        error = getattr(part, "error", None)
        if error:
            raise QueryError(f"cannot read the query: {error}", text)
    if parsed is query.NullQuery:
        raise QueryError("the query has no searchable words", text, 0)
    return _through_letter(parsed)


_LETTER_FIELDS = {"summary"}  # indexed on the letter document only


def _checked_by_storage() -> None:
    """A letter clause's own reads are checked against the search's budget by the storage
    (`mapped.Checkpoint`), as all reads of the index are."""


class LetterClause(query.WrappingQuery):
    """A clause on a letter-only field: matches the decisions of the letters it matches, and
    a letter that has no decision itself (it is a hit of its own, see `decision_filter`).

    A letter's decisions are the documents written right after it (one Whoosh group), up to
    the next letter. Whoosh's NestedChildren does this join too, but under NOT it skips
    children; this one lists them and hands Whoosh a plain list matcher.
    """

    def __init__(self, child) -> None:
        self.child = child

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.child == self.child

    def __hash__(self) -> int:
        return hash((type(self), self.child))

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        if ("kind", KIND_LETTER.encode()) not in reader:
            return matching.NullMatcher()
        # The letters the clause matches are read a block at a time (`bulk`). The next
        # letter after each matching one, skipped to in the letters' postings (they
        # come in document order): listing every letter of the segment cost 150 ms at 100k.
        letters = reader.postings("kind", KIND_LETTER.encode())
        end = reader.doc_count_all()
        ids: list[int] = []
        for letter in sorted(bulk.search(searcher, self.child, _checked_by_storage, scored=False)):
            if letters.is_active() and letters.id() <= letter:
                letters.skip_to(letter + 1)
            stop = letters.id() if letters.is_active() else end
            children = [d for d in range(letter + 1, stop) if not reader.is_deleted(d)]
            if not children and not reader.is_deleted(letter):
                ids.append(letter)  # no decision: the letter answers for itself
            ids.extend(children)
        return matching.ListMatcher(ids) if ids else matching.NullMatcher()


def _through_letter(q):
    """Each clause on a letter-only field wrapped in a `LetterClause`; a connector's clause as
    a whole (its words must stand in one letter's text, not be matched one by one)."""
    if q.is_leaf() or isinstance(q, Near):
        return LetterClause(q) if getattr(q, "fieldname", None) in _LETTER_FIELDS else q
    return q.apply(_through_letter)


def _check_balance(text: str) -> None:
    depth_marks: list[int] = []
    quote_at: int | None = None
    for i, ch in enumerate(text):
        if ch == '"':
            quote_at = None if quote_at is not None else i
        elif quote_at is None and ch == "(":
            depth_marks.append(i)
        elif quote_at is None and ch == ")":
            if not depth_marks:
                raise QueryError("')' without a matching '('", text, i)
            depth_marks.pop()
    if quote_at is not None:
        raise QueryError('unbalanced quote: this " is never closed', text, quote_at)
    if depth_marks:
        raise QueryError("'(' is never closed", text, depth_marks[-1])


def decision_filter():
    """What a search returns: decisions, and letters that have no decision (each one hit).
    It scores nothing, so a hit's score is its query's whether the filter is needed or not."""
    return _Unscored(query.Term("hit", HIT))


class _Unscored(query.WrappingQuery):
    """A clause that only filters: Whoosh's ConstantScoreQuery lists every document it
    matches up front, which for `hit` is nearly all of them."""

    def _rewrap(self, child):
        return _Unscored(child)

    def matcher(self, searcher, context=None):
        return matching.WrappingMatcher(self.child.matcher(searcher, context), boost=0.0)
