"""Narrowing and widening a query by a field's value, checked as sets of matches on the samples.

`hits(narrow(q, f, v))` must be `hits(q) ∩ hits(f:v)`, with the clause `f:v` written by hand
here; widening a query that had the clause must give the hits of the query without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.errors import QueryError

Key = tuple[str, int]

QUERIES = [
    "valium",
    'class:opioid OR class:"muscle relaxant"',
    "NOT outcome:upheld",
    '"medically necessary"',
    "valium OR norco",
    "drug:valium AND source:mtus",
    'outcome:upheld drug:valium "no provision to modify"',
    "(specialty:medicine)",
]
# (field as a front end names it, value as a facet shows it, the clause typed by hand)
VALUES = [
    ("outcome", "upheld", "outcome:upheld"),
    ("outcome", "overturned", "outcome:overturned"),
    ("class", "muscle relaxant", 'class:"muscle relaxant"'),
    ("class", "benzodiazepine", "class:benzodiazepine"),
    (
        "specialty",
        "Physical Medicine & Rehabilitation",
        'specialty:"physical medicine rehabilitation"',
    ),
    ("drug", "oxycodone/acetaminophen", 'drug:"oxycodone acetaminophen"'),
    ("year", "2017", "year:2017"),
    ("source", "odg", "source:odg"),
    ("sex", "female", "sex:female"),
    ("format", "D", "format:d"),
]


@pytest.fixture(scope="module")
def searcher(samples_index: Path) -> Iterator[api.OpenIndex]:
    with api.open_searcher(samples_index) as opened:
        yield opened


def hits(searcher: api.OpenIndex, query: str) -> set[Key]:
    return {(Path(h.path).name, h.item) for h in searcher.search(query, limit=None).hits}


@pytest.mark.parametrize(("query", "value"), list(product(QUERIES, VALUES)))
def test_narrowing_intersects_and_widening_restores(searcher, query, value):
    field, shown, clause = value
    narrowed = api.narrow(query, field, shown)
    assert hits(searcher, narrowed) == hits(searcher, query) & hits(searcher, clause)
    assert query in narrowed  # the user's text is kept as typed
    assert api.narrow(narrowed, field, shown) == narrowed  # once is enough
    if narrowed != query:  # else the query required the value already
        widened = api.widen(narrowed, field, shown)
        assert widened in (query, f"({query})")
        assert hits(searcher, widened) == hits(searcher, query)


def test_every_facet_value_narrows_to_the_decisions_it_counted(searcher):
    """What the panel promises: choosing a value finds as many decisions as it showed."""
    result = searcher.search("valium OR norco", facets=api.FACETS, facet_limit=100)
    checked = 0
    for facet in result.facets:
        for value in facet.values:
            narrowed = api.narrow(result.query, facet.name, value.value)
            assert len(hits(searcher, narrowed)) == value.count, (facet.name, value.value)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    ("query", "rest"),
    [
        ("valium outcome:upheld", "valium"),
        ("outcome:upheld valium", "valium"),
        ("valium AND outcome:upheld", "valium"),
        ("outcome:upheld AND valium", "valium"),
        ("norco outcome:upheld AND valium", "norco valium"),
        ("valium result:UPHELD^2", "valium"),  # an alias, another case, a boost
        ("valium (outcome:upheld)", "valium"),
        ("valium outcome:(upheld)", "valium"),
        ("(valium outcome:upheld)", "(valium)"),
        ("outcome:upheld valium outcome:upheld source:mtus", "valium source:mtus"),
        ("valium OR norco outcome:upheld", "valium OR norco"),
        ("(valium OR norco) outcome:upheld", "(valium OR norco)"),
        (
            "\u201cmedically necessary\u201d outcome:upheld valium",
            "\u201cmedically necessary\u201d valium",
        ),
    ],
)
def test_widening_cuts_the_clause_and_what_joined_it(searcher, query, rest):
    assert api.widen(query, "outcome", "upheld") == rest
    # the clause was one of the query's conditions: nothing else was taken away
    assert hits(searcher, query) == hits(searcher, rest) & hits(searcher, "outcome:upheld")
    assert hits(searcher, rest) - hits(searcher, "outcome:upheld")


@pytest.mark.parametrize(
    "query",
    [
        "NOT outcome:upheld valium",  # excluded, not required
        "outcome:upheld OR valium",  # one way to match, not required
        "valium outcome:overturned",
    ],
)
def test_widening_leaves_a_query_that_does_not_require_the_value(query):
    assert api.widen(query, "outcome", "upheld") == query


def test_widening_away_the_whole_query_leaves_nothing():
    assert api.widen("outcome:upheld", "outcome", "upheld") == ""
    assert api.widen("(outcome:upheld)", "outcome", "upheld") == ""
    assert api.widen("outcome:upheld AND result:upheld", "outcome", "upheld") == ""


def test_a_multi_word_value_is_added_once(searcher):
    query = 'class:opioid OR class:"muscle relaxant"'
    narrowed = api.narrow(query, "class", "muscle relaxant")
    assert narrowed == f'({query}) class:"muscle relaxant"'
    assert api.narrow(narrowed, "class", "muscle relaxant") == narrowed
    already = 'valium class:"Muscle Relaxants"'  # another case, and stemmed to the same word
    assert api.narrow(already, "class", "muscle relaxant") == already
    assert api.widen(already, "class", "muscle relaxant") == "valium"


def test_an_excluded_value_is_still_added(searcher):
    narrowed = api.narrow("NOT outcome:upheld", "outcome", "upheld")
    assert narrowed == "NOT outcome:upheld outcome:upheld"
    assert hits(searcher, "NOT outcome:upheld") and not hits(searcher, narrowed)


@pytest.mark.parametrize(
    ("value", "clause"),
    [
        ('Pain "Medicine', 'specialty:"Pain Medicine"'),
        ("\u201cPain Medicine\u201d", 'specialty:"Pain Medicine"'),  # curly quotes, as pasted
        ("Pain\nMedicine", 'specialty:"Pain Medicine"'),
        ("Physical Medicine & Rehabilitation", 'specialty:"Physical Medicine & Rehabilitation"'),
        ("AND", 'specialty:"AND"'),  # an operator's name is a value, not an operator
        ("a:b(c)^2", 'specialty:"a:b(c)^2"'),
    ],
)
def test_values_are_quoted_unless_one_plain_word(searcher, value, clause):
    assert api.narrow("valium", "specialty", value) == f"valium {clause}"


def test_a_quote_that_is_part_of_the_value_is_refused():
    for value in ('up"held', "up\u2019held"):  # a keyword keeps every character of the value
        with pytest.raises(QueryError) as error:
            api.narrow("valium", "outcome", value)
        assert "cannot be written" in error.value.message


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("colour", "red", "unknown field 'colour'"),
        ("outcome", "", "is not a value of outcome"),
        ("outcome", "up held", "is not a value of outcome"),
        ("specialty", "pain*", "inside quotes"),  # the language refuses a wildcard in quotes
        ("year", "twenty", "is not a whole number"),
    ],
)
def test_a_value_the_field_cannot_take_is_a_query_error(field, value, message):
    with pytest.raises(QueryError) as error:
        api.narrow("valium", field, value)
    assert message in error.value.message


def test_a_malformed_query_is_reported_as_searching_would():
    with pytest.raises(QueryError) as error:
        api.narrow('valium "no provision', "outcome", "upheld")
    assert error.value.message == 'unbalanced quote: this " is never closed'
    assert error.value.position == 7


@pytest.mark.parametrize(
    ("query", "selected"),
    [
        ("valium outcome:upheld", {("outcome", "upheld")}),
        (
            "valium result:UPHELD class:benzodiazepines",
            {("outcome", "upheld"), ("class", "benzodiazepine")},
        ),
        ('valium AND class:"Muscle Relaxant"', {("class", "muscle relaxant")}),
        ("valium NOT outcome:upheld", set()),
        ("valium OR outcome:upheld", set()),
        (
            "format:d sex:female year:2017",
            {("format", "D"), ("sex", "female"), ("year", "2017")},
        ),
    ],
)
def test_facets_say_which_values_the_query_requires(searcher, query, selected):
    result = searcher.search(query, facets=api.FACETS, facet_limit=100)
    assert result.total
    marked = {(f.name, v.value) for f in result.facets for v in f.values if v.selected}
    assert marked == selected
