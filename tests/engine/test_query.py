"""The query language on its own (no index): field names and aliases, phrases, quotes, errors."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from imrsearch.engine.forms import Forms
from imrsearch.engine.proximity import Near
from imrsearch.engine.query import make_parser, parse_query
from imrsearch.engine.registry import BY_NAME, FIELDS, field_names
from imrsearch.engine.schema import build_schema
from imrsearch.errors import QueryError

# a value each kind of field accepts (closed fields refuse any other)
_VALUES = {"age": "50", "year": "2016", "injured": "2016-12-01", "decided": "2016-12-01"}
_VALUES |= {"assigned": "2016-12-01", "class": "opioid", "outcome": "upheld", "source": "odg"}
_VALUES |= {"sex": "female", "format": "d"}
_VALUES |= {"category": "surgery", "subcategory": "mri", "ageband": "50-59", "topic": "opioids"}

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
    ('"red flag*"', "*", "inside quotes"),
    ('outcome:upheld "red flag?" x', "?", "inside quotes"),
    ("tapering /s", "/s", "needs"),
    ("/p tapering", "/p", "needs"),
    ("a /s /p b", "/s", "needs"),
    ("a w/300 b", "w/300", "1 to 255"),
    ("outcome:denial", "denial", "not a value of outcome"),
    ("class:relaxant", "relaxant", "not a value of class"),
    ("outcome:zz*", "zz*", "not a value of outcome"),
    ("tapering or weaning", "or", "not an operator"),
    ("a!", "a!", "wildcard"),
    ("taper AND", "AND", "needs"),
    ("NOT", "NOT", "needs"),
    ("a - b", "-", "not part of this query language"),
    ("(a b) /s c", "/s", "cannot join an AND"),
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
    assert parse(parser, text) == Forms("rationale", "valium", boost=boost)


def test_minus_is_not(parser):
    assert parse(parser, "tapering -opioids") == parse(parser, "tapering NOT opioids")
    assert parse(parser, '-"red flag" drug:norco') == parse(parser, 'NOT "red flag" drug:norco')


@pytest.mark.parametrize(
    ("text", "unit", "distance", "ordered"),
    [
        ("rationale:(a /s b)", "sentence", 0, False),
        ("rationale:(a w/s b)", "sentence", 0, False),
        ("rationale:(a +s b)", "sentence", 0, True),
        ("rationale:(a /P b)", "paragraph", 0, False),
        ("rationale:(a +p b)", "paragraph", 0, True),
        ("rationale:(a w/5 b)", "words", 5, False),
        ("rationale:(a /5 b)", "words", 5, False),
        ("rationale:(a pre/5 b)", "words", 5, True),
        ("rationale:(a +5 b)", "words", 5, True),
    ],
)
def test_connectors_become_near_queries(parser, text, unit, distance, ordered):
    near = parse(parser, text)
    assert isinstance(near, Near)
    assert (near.fieldname, near.unit, near.distance, near.ordered) == (
        "rationale",
        unit,
        distance,
        ordered,
    )
    assert near.a == Forms("rationale", "a") and near.b == Forms("rationale", "b")


def test_connectors_bind_after_or_and_before_words_side_by_side(parser):
    """`a OR b /s c` is (a OR b) /s c, as Westlaw and Lexis read it; `x a /s b` needs x too."""
    assert parse(parser, "rationale:(a OR b /s c)") == parse(parser, "rationale:((a OR b) /s c)")
    both = parse(parser, "rationale:(x a /s b)")
    assert isinstance(both, wq.And)
    assert both.subqueries[1] == parse(parser, "rationale:(a /s b)")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Outcome:UPHELD", "outcome:upheld"),
        ("outcome:denied", "outcome:upheld"),
        ("sex:f", "sex:female"),
        ("CLASS:benzos", "class:benzodiazepine"),
        ('class:"Muscle Relaxants"', 'class:"muscle relaxant"'),
        ("taper!", "taper*"),
    ],
)
def test_spellings_that_mean_one_thing(parser, typed, meant):
    assert parse(parser, typed) == parse(parser, meant)


def test_a_drug_becomes_every_name_of_it(parser):
    names = {leaf.words[0] if isinstance(leaf, wq.Phrase) else leaf.text for leaf in
             parse(parser, "drug:valium").leaves()}  # fmt: skip
    assert names == {"valium", "diazepam"}
