"""The query language on its own (no index): field names and aliases, phrases, quotes, errors."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from imrsearch.engine.query import make_parser, parse_query
from imrsearch.engine.registry import BY_NAME, FIELDS, field_names
from imrsearch.engine.schema import build_schema
from imrsearch.errors import QueryError

# a value each kind of field accepts
_VALUES = {"age": "50", "year": "2016", "injured": "2016-12-01", "decided": "2016-12-01"}
_VALUES |= {"assigned": "2016-12-01", "class": "opioid"}

NAMES = [(f.name, name) for f in FIELDS for name in f.names]


@pytest.fixture(scope="module")
def parser():
    return make_parser(build_schema())


def parse(parser, text: str):
    return parse_query(parser, text)


def test_field_names_lists_every_name_and_alias_once():
    names = field_names()
    assert len(names) == len(set(names))
    assert set(names) == {name for _, name in NAMES}


@pytest.mark.parametrize(("user", "name"), NAMES, ids=[name for _, name in NAMES])
def test_name_and_alias_search_their_field(parser, user, name):
    parsed = parse(parser, f"{name}:{_VALUES.get(user, 'valium')}")
    assert {leaf.fieldname for leaf in parsed.leaves()} == {BY_NAME[user].index}


@pytest.mark.parametrize(
    "phrase", ["no provision to modify", "not medically necessary", "risk of dependence"]
)
def test_phrase_keeps_every_word(parser, phrase):
    """No stop list: "no", "not", "of" and "to" are part of what is searched."""
    leaves = list(parse(parser, f'"{phrase}"').leaves())
    assert leaves
    assert all(isinstance(leaf, wq.Phrase) for leaf in leaves)
    assert all(leaf.words == phrase.split() for leaf in leaves)


@pytest.mark.parametrize(
    ("pasted", "typed"),
    [
        ("\u201cno provision to modify\u201d", '"no provision to modify"'),
        ("rationale:\u201cnot medically necessary\u201d", 'rationale:"not medically necessary"'),
    ],
)
def test_curly_quotes_are_quotes(parser, pasted, typed):
    assert parse(parser, pasted) == parse(parser, typed)


def test_us_dates_read_as_iso(parser):
    assert parse(parser, "decided:12/09/2016") == parse(parser, "decided:2016-12-09")


def test_proximity_sets_the_slop(parser):
    leaves = list(parse(parser, '"provision request"~5').leaves())
    assert leaves and all(leaf.slop == 5 for leaf in leaves)


# (query, the text the error should point at, words the message should contain)
MALFORMED = [
    ('drug:valium "no provision to modify', '"no', "quote"),
    ("\u201cno provision to modify", "\u201c", "quote"),
    ("drug:valium)", ")", "')'"),
    ("(drug:valium OR drug:xanax", "(", "'('"),
    ("outcome:upheld (drug:valium OR (class:opioid)", "(drug", "'('"),
    ("drug:valium foo:bar", "foo:", "unknown field 'foo'"),
    ("outcome:upheld drug:", "drug:", "'drug:' has no value"),
    ("drug: valium", "drug:", "'drug:' has no value"),
    ("age:>", "age:", "'age:' has no value"),
    ("decided:2016-13-01", "2016-13-01", "not a date"),
    ("injured:<2016-02-30", "2016-02-30", "not a date"),
    ("age:abc", "abc", "abc"),
    ("*a*", "*a*", "wildcard"),
    ("drug:valium *ab", "*ab", "wildcard"),
    ("service:?x", "?x", "wildcard"),
    ("a*", "a*", "wildcard"),
    ("", "", "empty"),
    ("   ", "", "empty"),
    ("valium^0", "^0", "boost"),
    ("valium^-1", "^-1", "boost"),
    ("valium^1e30 norco", "^1e30", "boost"),
    ('"no provision"^100.5', "^100.5", "boost"),
    ("(valium norco)^", "^", "boost"),
    ("valium^inf", "^inf", "boost"),
]


@pytest.mark.parametrize(("text", "anchor", "words"), MALFORMED, ids=[q for q, _, _ in MALFORMED])
def test_malformed_query_says_what_and_where(parser, text, anchor, words):
    with pytest.raises(QueryError) as error:
        parse(parser, text)
    assert words in error.value.message
    assert error.value.position == text.index(anchor)


def test_unknown_field_hint_lists_the_fields(parser):
    with pytest.raises(QueryError) as error:
        parse(parser, "colour:red")
    assert all(f.name in error.value.hint for f in FIELDS)


@pytest.mark.parametrize("text", ["modif*", "drug:valium AND NOT outcome:upheld", "opiod~"])
def test_well_formed_query_parses(parser, text):
    assert parse(parser, text) is not None


@pytest.mark.parametrize(
    ("text", "boost"),
    [("rationale:valium^2", 2.0), ("rationale:valium^.5", 0.5), ("rationale:valium^100", 100.0)],
)
def test_boosts_within_the_bounds_are_kept(parser, text, boost):
    assert parse(parser, text) == wq.Term("rationale", "valium", boost=boost)
