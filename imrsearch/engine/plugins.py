"""The query language beyond Whoosh's defaults: parser plugins working on syntax nodes.

- Operators and connectors: `engine.operators`.
- `taper!` (the root expander) is `taper*`.
- Field names in any case; closed vocabularies (outcome, source, sex, format, class) take their
  values or a documented synonym, else are refused with the list; a drug becomes every name the
  lexicon gives it, a class alias its class.
- An unquoted word in the prose fields also finds its singular or plural; quoted, it is exact.
- What the language does not read is refused where it stands, never dropped: characters other
  engines treat as operators (`&`, `%`, `#`, `+word`), lower-case and/or/not, a wildcard or
  root expander inside quotes, a phrase that runs across the end of a sentence.
"""

from __future__ import annotations

import fnmatch
import itertools
import re

from whoosh import qparser
from whoosh.qparser import syntax

from imrsearch.engine.forms import Forms
from imrsearch.engine.operators import CONNECTORS, Operators
from imrsearch.engine.registry import BY_INDEX, VALUE_SYNONYMS, user_name
from imrsearch.engine.schema import PROSE
from imrsearch.errors import QueryError
from imrsearch.vocab.drugs import CLASSES, class_named, equivalents

# The unquoted words of these fields also find their singular or plural.
FORMS_FIELDS = frozenset({"service", "rationale", "summary", "guideline"})
_CLOSED = {f.index: f.values for f in BY_INDEX.values() if f.values} | {"drug_class": CLASSES}
_WORD_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}
# First characters other search languages read as operators, and what to write here instead.
_FOREIGN = {
    "&": "for both words write AND (or nothing: words are all required)",
    "%": "to exclude a word write NOT word or -word",
    "#": 'for exactly this word, without its plural, put it in quotes: "opioid"',
    "+": 'for exactly this word, without its plural, put it in quotes: "opioid"',
    "=": 'for exactly this word, without its plural, put it in quotes: "opioid"',
    "/": CONNECTORS,
    "!": "the root expander ends a word: taper! finds taper, tapered, tapering",
    "|": "for either word write OR",
    "@": "only letters and digits are searched: leave it out",
    "~": 'fuzzy search follows a word: opiod~; proximity follows a phrase: "a b"~5',
    "-": "-word excludes a word: write the word right after the -",
}
_UNKNOWN_CONNECTOR = re.compile(r"(?:w|pre|not)/\S*", re.IGNORECASE)
_PREFIX = qparser.PrefixPlugin.PrefixNode


def plugins() -> list[qparser.Plugin]:
    return [Operators(), _RootPlugin(), _LanguagePlugin()]


class RootNode(qparser.PrefixPlugin.PrefixNode):
    """`taper!`, Westlaw's and Lexis's root expander: Whoosh's prefix query `taper*`."""

    def typed(self) -> str:
        return f"{self.text}!"


class _RootPlugin(qparser.TaggingPlugin):
    expr = r"(?<![^\s(:])(?P<text>[^\s()\"'!*?:^~]+)!(?=[\s()]|$)"
    nodetype = RootNode


# --- words, values, names ------------------------------------------------------------------------


class FormsNode(syntax.WordNode):
    """An unquoted word of a prose field: its singular and plural too."""

    qclass = Forms


class _LanguagePlugin(qparser.Plugin):
    def filters(self, parser):
        return [
            (self._refuse, 1),
            (self._field_case, 80),
            (self._vocabulary, 102),
            (self._forms, 111),
        ]

    def _refuse(self, parser, group):
        """What Whoosh would read as something else, or drop, is an error where it stands."""
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self._refuse(parser, node)
            elif isinstance(node, qparser.PhrasePlugin.PhraseNode):
                _check_phrase(node, parser)
            elif type(node) is syntax.WordNode:
                _check_word(node, parser)
        return group

    def _field_case(self, parser, group):
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self._field_case(parser, node)
            elif isinstance(node, syntax.FieldnameNode):
                node.fieldname = node.fieldname.lower()
        return group

    def _vocabulary(self, parser, group):
        """Closed fields take their values; a drug name becomes an OR of all its names."""
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                self._vocabulary(parser, node)
                continue
            field = getattr(node, "fieldname", None)
            if field == "drug" and _is_value(node):
                group[i] = _drug_names(node)
            elif field in _CLOSED:
                group[i] = _closed_value(node, field, parser)
        return group

    def _forms(self, parser, group):
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                self._forms(parser, node)
            elif type(node) is syntax.WordNode and node.fieldname in FORMS_FIELDS:
                group[i] = _copy_place(FormsNode(node.text), node)
        return group


def _is_value(node) -> bool:
    return type(node) is syntax.WordNode or isinstance(node, qparser.PhrasePlugin.PhraseNode)


def _copy_place(new, old):
    new.fieldname, new.boost = old.fieldname, old.boost
    new.startchar, new.endchar = old.startchar, old.endchar
    return new


def _drug_names(node):
    names = sorted(equivalents(node.text) - {node.text.lower()})
    if not names:
        return node
    alternatives = [node]
    for name in names:
        phrase = qparser.PhrasePlugin.PhraseNode(name, node.startchar)
        alternatives.append(_copy_place(phrase, node))
    return syntax.OrGroup(alternatives)


def _closed_value(node, field: str, parser):
    values = _CLOSED[field]
    if isinstance(node, syntax.RangeNode):
        return node
    if isinstance(node, (_PREFIX, qparser.WildcardPlugin.WildcardNode)):
        pattern = node.text.lower() + ("*" if isinstance(node, _PREFIX) else "")
        if any(fnmatch.fnmatchcase(value, pattern) for value in values):
            return node
    elif _is_value(node):
        typed = " ".join(node.text.split()).lower()
        value = (
            class_named(typed)
            if field == "drug_class"
            else VALUE_SYNONYMS.get(field, {}).get(typed, typed)
        )
        if value in values:
            return _copy_place(syntax.WordNode(value), node)
    name = user_name(field)
    typed = node.text + (
        "!" if isinstance(node, RootNode) else "*" if isinstance(node, _PREFIX) else ""
    )
    synonyms = ", ".join(f"{k} means {v}" for k, v in VALUE_SYNONYMS.get(field, {}).items())
    also = "; also plurals and names such as benzos, narcotics, muscle relaxers, ppi"
    raise QueryError(
        f"'{typed}' is not a value of {name}:",
        parser.qstring,
        typed_at(parser.qstring, typed, node),
        hint=f"{name}: takes "
        + " | ".join(values)
        + (f" ({synonyms})" if synonyms else "")
        + (also if field == "drug_class" else ""),
    )


def _check_word(node, parser) -> None:
    text = node.text
    if text.lower() in _WORD_OPERATORS:
        raise QueryError(
            f"'{text}' is not an operator: operators are written in capitals",
            parser.qstring,
            node.startchar,
            hint=f"write {_WORD_OPERATORS[text.lower()]}, or to search the word itself quote"
            ' it or its phrase: "not medically necessary"',
        )
    if _UNKNOWN_CONNECTOR.fullmatch(text):
        raise QueryError(
            f"'{text}' is not a connector", parser.qstring, node.startchar, hint=CONNECTORS
        )
    for i, char in enumerate(text):
        if char in _FOREIGN and (i == 0 or char == "!"):
            raise QueryError(
                f"'{char}'{'' if text == char else f' in {text!r}'} is not part of this query"
                " language",
                parser.qstring,
                node.startchar + i,
                hint=_FOREIGN[char],
            )


def _check_phrase(node, parser) -> None:
    text, start = node.text, node.textstartchar
    found = re.search(r"[*?]|(?<=\w)!", text)
    if found:
        raise QueryError(
            f"'{found.group()}' inside quotes: a quoted phrase matches its words exactly",
            parser.qstring,
            start + found.start(),
            hint='outside quotes it works: red pre/1 flag* finds "red" right before a word'
            ' starting "flag"',
        )
    tokens = [(t.pos, t.startchar, t.endchar) for t in PROSE(text, positions=True, chars=True)]
    for (pos, _, end), (following, _, _) in itertools.pairwise(tokens):
        if following != pos + 1:
            raise QueryError(
                "the phrase runs across the end of a sentence",
                parser.qstring,
                start + end,
                hint="a phrase matches within one sentence; for words on either side of a"
                " sentence end use w/n, e.g. necessary w/2 tapering",
            )


def typed_at(qstring: str, typed: str, node) -> int | None:
    """Where `typed` starts: Whoosh's offsets for wildcard nodes point inside them."""
    found = qstring.rfind(typed, 0, (node.endchar or len(qstring)) + len(typed))
    return found if found >= 0 else node.startchar
