"""Searcher over the samples index: every field and alias, phrases, ranges, facets, sorting.

Expected sets are computed from the parsed letters with plain Python, never from search output.
A decision is keyed by (file name, 1-based item number).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine.registry import field_names
from imrsearch.engine.search import Searcher
from imrsearch.errors import ImrError, QueryError
from imrsearch.ingest.archive import load_letter
from imrsearch.model import Decision, Letter, SortOrder
from imrsearch.vocab.categories import categorize, topic_of

Key = tuple[str, int]
Predicate = Callable[[Letter, Decision], bool]


def key(source: str, number: int) -> Key:
    return Path(source).name, number


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def has_phrase(text: str, phrase: str) -> bool:
    """The phrase's words in order, with only spaces, line or page breaks, punctuation between."""
    pattern = r"\b" + r"\W+".join(map(re.escape, words(phrase))) + r"\b"
    return re.search(pattern, text.lower()) is not None


def default_texts(letter: Letter, d: Decision) -> list[str]:
    """What an unfielded word searches: item, rationale, summary, guidelines."""
    return [d.service, d.rationale, letter.summary, f"{d.ca_guideline}\n{d.maximus_guideline}"]


def expected(letters: list[Letter], predicate: Predicate) -> set[Key]:
    return {key(lt.path, d.number) for lt in letters for d in lt.decisions if predicate(lt, d)}


def found(searcher: Searcher, query: str) -> set[Key]:
    return {key(h.path, h.item) for h in searcher.search(query, limit=None).hits}


@pytest.fixture(scope="module")
def searcher(samples_index: Path) -> Iterator[Searcher]:
    with api.open_searcher(samples_index) as opened:
        yield opened


DESIGN_CARD = 'outcome:upheld drug:valium "no provision to modify"'


def _valium(d: Decision) -> bool:
    return any(x.generic == "diazepam" for x in d.drugs)


def _says(d: Decision) -> bool:
    return "no provision to modify" in " ".join(d.rationale.lower().split())


def _design_card(d: Decision) -> bool:
    return d.outcome == "upheld" and _valium(d) and _says(d)


def test_design_card_query_binds_outcome_drug_and_phrase_to_one_decision(searcher, parsed_samples):
    """outcome, drug and rationale phrase must all hold for the same item."""
    want = expected(parsed_samples, lambda lt, d: _design_card(d))
    got = found(searcher, DESIGN_CARD)
    assert want
    assert got == want
    valium_without = expected(
        parsed_samples, lambda lt, d: d.outcome == "upheld" and _valium(d) and not _says(d)
    )
    phrase_without_valium = expected(
        parsed_samples, lambda lt, d: d.outcome == "upheld" and not _valium(d) and _says(d)
    )
    assert valium_without and not valium_without & got
    assert {("000_8e1dcabcf776b057.txt", 2), ("000_8e1dcabcf776b057.txt", 3)} <= (
        phrase_without_valium
    )
    assert not phrase_without_valium & got


def _cites_page(page: int) -> Predicate:
    def predicate(letter: Letter, d: Decision) -> bool:
        for cited in (p for c in d.guidelines for p in c.pages):
            span = re.fullmatch(r"(\d+)\s*-\s*(\d+)", cited)
            if cited == str(page) or (span and int(span[1]) <= page <= int(span[2])):
                return True
        return False

    return predicate


def _generic_has(word: str) -> Predicate:
    return lambda lt, d: any(word in words(x.generic) for x in d.drugs)


def _requested(*forms: str) -> Predicate:
    """`service:` searches the item and, for a partial authorisation, the original request
    and the authorised part too; any of the word's `forms` counts."""

    def predicate(lt: Letter, d: Decision) -> bool:
        parts = (d.service, d.original_request, d.authorized_request)
        return any(has_phrase(part, form) for part in parts for form in forms)

    return predicate


def _in_class(name: str) -> Predicate:
    return lambda lt, d: any(x.drug_class == name for x in d.drugs)


def _age(test: Callable[[int], bool]) -> Predicate:
    return lambda lt, d: lt.patient.age is not None and test(lt.patient.age)


def _decided(test: Callable[[date], bool]) -> Predicate:
    return lambda lt, d: lt.decision_date is not None and test(lt.decision_date)


def _injured(test: Callable[[date], bool]) -> Predicate:
    return lambda lt, d: lt.date_of_injury is not None and test(lt.date_of_injury)


def _assigned(test: Callable[[date], bool]) -> Predicate:
    return lambda lt, d: lt.date_assigned is not None and test(lt.date_assigned)


FIELD_CASES: list[tuple[str, Predicate]] = [
    ("outcome:upheld", lambda lt, d: d.outcome == "upheld"),
    ("result:overturned", lambda lt, d: d.outcome == "overturned"),
    ("drug:valium", _generic_has("diazepam")),
    ("drug:diazepam", _generic_has("diazepam")),
    ("med:valium", _generic_has("diazepam")),
    ("medication:valium", _generic_has("diazepam")),
    ("drug:norco", lambda lt, d: any(x.generic == "hydrocodone/acetaminophen" for x in d.drugs)),
    ("drug:hydrocodone", _generic_has("hydrocodone")),
    ("class:benzodiazepine", _in_class("benzodiazepine")),
    ("drugclass:benzodiazepine", _in_class("benzodiazepine")),
    ("class:opioid", _in_class("opioid")),
    ("class:opioids", _in_class("opioid")),
    ('class:"muscle relaxant"', _in_class("muscle relaxant")),
    # an unquoted word also finds its singular or plural; service: also searches a partial
    # authorisation's original request and authorised part
    ("service:mri", _requested("mri", "mris")),
    ("item:mri", _requested("mri", "mris")),
    ("request:acupuncture", _requested("acupuncture", "acupunctures")),
    ("rationale:tapering", lambda lt, d: {"tapering", "taperings"} & set(words(d.rationale))),
    ("why:tapering", lambda lt, d: {"tapering", "taperings"} & set(words(d.rationale))),
    ("summary:anxiety", lambda lt, d: {"anxiety", "anxieties"} & set(words(lt.summary))),
    ("history:anxiety", lambda lt, d: {"anxiety", "anxieties"} & set(words(lt.summary))),
    (
        "guideline:benzodiazepines",
        lambda lt, d: (
            {"benzodiazepine", "benzodiazepines"}
            & set(words(f"{d.ca_guideline} {d.maximus_guideline}"))
        ),
    ),
    (
        "cite:acupuncture",
        lambda lt, d: (
            {"acupuncture", "acupunctures"} & set(words(f"{d.ca_guideline} {d.maximus_guideline}"))
        ),
    ),
    ("source:mtus", lambda lt, d: any(c.source == "mtus" for c in d.guidelines)),
    ("source:odg", lambda lt, d: any(c.source == "odg" for c in d.guidelines)),
    ("src:odg", lambda lt, d: any(c.source == "odg" for c in d.guidelines)),
    ("source:other", lambda lt, d: any(c.source == "other" for c in d.guidelines)),
    ("page:24", _cites_page(24)),
    ("pages:24", _cites_page(24)),
    ("page:77", _cites_page(77)),
    (
        'specialty:"pain medicine"',
        lambda lt, d: any(has_phrase(s, "pain medicine") for s in lt.reviewer.specialties),
    ),
    (
        'spec:"family practice"',
        lambda lt, d: any(has_phrase(s, "family practice") for s in lt.reviewer.specialties),
    ),
    ("state:california", lambda lt, d: "California" in lt.reviewer.states),
    ('licensed:"north carolina"', lambda lt, d: "North Carolina" in lt.reviewer.states),
    ("age:>60", _age(lambda age: age > 60)),
    ("age:[40 TO 60]", _age(lambda age: 40 <= age <= 60)),
    ("age:>=67", _age(lambda age: age >= 67)),
    ("sex:female", lambda lt, d: lt.patient.sex == "female"),
    ("gender:male", lambda lt, d: lt.patient.sex == "male"),
    ("injured:2016-10-13", _injured(lambda day: day == date(2016, 10, 13))),
    ("doi:2016-10", _injured(lambda day: (day.year, day.month) == (2016, 10))),
    ("decided:2016-12", _decided(lambda day: (day.year, day.month) == (2016, 12))),
    ("date:2017-01-05", _decided(lambda day: day == date(2017, 1, 5))),
    ("assigned:2016-11", _assigned(lambda day: (day.year, day.month) == (2016, 11))),
    ("year:2016", _decided(lambda day: day.year == 2016)),
    ("year:[2015 TO 2016]", _decided(lambda day: 2015 <= day.year <= 2016)),
    ("case:CM16-0213037", lambda lt, d: lt.case_number == "CM16-0213037"),
    ("cm:cm16-0213037", lambda lt, d: lt.case_number == "CM16-0213037"),
    ("format:d", lambda lt, d: lt.format == "D"),
    ("layout:D", lambda lt, d: lt.format == "D"),
    ('category:"diagnostic imaging"', lambda lt, d: _category(d)[0] == "diagnostic imaging"),
    ("cat:pharmaceuticals", lambda lt, d: _category(d)[0] == "pharmaceuticals"),
    ("subcategory:mri", lambda lt, d: _category(d)[1] == "mri"),
    ("subcat:benzodiazepine", lambda lt, d: _category(d)[1] == "benzodiazepine"),
    ("month:2016-12", _decided(lambda day: (day.year, day.month) == (2016, 12))),
    ("ageband:40-49", _age(lambda age: 40 <= age <= 49)),
    ("topic:benzodiazepines", lambda lt, d: "benzodiazepines" in _topics(d)),
    ('topic:"low back"', lambda lt, d: "low back" in _topics(d)),
]


def _category(decision) -> tuple[str, str]:
    return categorize(decision.service, decision.drugs)


def _topics(decision) -> set[str]:
    return {topic_of(c.topic) for c in decision.guidelines}


def test_every_field_and_alias_has_a_case():
    used = {name for query, _ in FIELD_CASES for name in re.findall(r"(\w+):", query)}
    assert set(field_names()) <= used


@pytest.mark.parametrize(("query", "predicate"), FIELD_CASES, ids=[q for q, _ in FIELD_CASES])
def test_field(searcher, parsed_samples, query, predicate):
    want = expected(parsed_samples, predicate)
    assert want, "the samples should hold a decision for this case"
    assert found(searcher, query) == want


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("decided:>=2017-01-01", _decided(lambda day: day >= date(2017, 1, 1))),
        ("decided:>=2017-01-11", _decided(lambda day: day >= date(2017, 1, 11))),
        ("decided:<=2017-01-05", _decided(lambda day: day <= date(2017, 1, 5))),
        ("decided:2016", _decided(lambda day: day.year == 2016)),
        (
            "decided:[2016-12-09 TO 2017-01-05]",
            _decided(lambda day: date(2016, 12, 9) <= day <= date(2017, 1, 5)),
        ),
        ("decided:12/09/2016", _decided(lambda day: day == date(2016, 12, 9))),
        ("injured:<2010-01-01", _injured(lambda day: day < date(2010, 1, 1))),
        ("assigned:<=2016-12-05", _assigned(lambda day: day <= date(2016, 12, 5))),
        # strict comparisons exclude the day, month or year they name
        ("decided:>2017-01-05", _decided(lambda day: day > date(2017, 1, 5))),
        ("decided:<2017-01-05", _decided(lambda day: day < date(2017, 1, 5))),
        ("decided:>2016-12", _decided(lambda day: day >= date(2017, 1, 1))),
        ("decided:<2017", _decided(lambda day: day.year < 2017)),
        (
            "decided:{2016-12-09 TO 2016-12-30}",
            _decided(lambda day: date(2016, 12, 9) < day < date(2016, 12, 30)),
        ),
        ("injured:>2016-10-26", _injured(lambda day: day > date(2016, 10, 26))),
    ],
)
def test_date_ranges(searcher, parsed_samples, query, predicate):
    assert found(searcher, query) == expected(parsed_samples, predicate)


def _default_phrase(phrase: str) -> Predicate:
    return lambda lt, d: any(has_phrase(text, phrase) for text in default_texts(lt, d))


@pytest.mark.parametrize(
    ("query", "phrase"),
    [
        ('"not medically necessary"', "not medically necessary"),
        ('"no provision to modify"', "no provision to modify"),
        ("\u201cno provision to modify\u201d", "no provision to modify"),
        ('"risk of dependence"', "risk of dependence"),
        ('"limit use to 4 weeks"', "limit use to 4 weeks"),
        ('"carried out for 3 to 6 months"', "carried out for 3 to 6 months"),
        ('rationale:"there is no indication the patient"', "there is no indication the patient"),
    ],
)
def test_phrase(searcher, parsed_samples, query, phrase):
    want = expected(parsed_samples, _default_phrase(phrase))
    assert want
    assert found(searcher, query) == want


def test_not_medically_necessary_skips_a_rationale_that_is_medically_necessary(
    searcher, parsed_samples
):
    """Seed 002's overturned Norco item ends "the request was medically necessary"."""
    norco = next(lt for lt in parsed_samples if lt.path.endswith("002_70d663a21a5f6f22.txt"))
    item = norco.decisions[0]
    assert item.outcome == "overturned"
    assert has_phrase(item.rationale, "was medically necessary")
    assert not has_phrase(item.rationale, "not medically necessary")
    assert key(norco.path, 1) not in found(searcher, '"not medically necessary"')


@pytest.mark.parametrize(
    ("file", "number", "phrase", "raw"),
    [
        ("000_8e1dcabcf776b057.txt", 1, "no provision to modify", r"provision to \s*\n\s*modify"),
        ("CM17-0007142.pdf", 1, "can be carried out for 3 to 6 months", r"carried \s*\f\s*out"),
        ("CM16-0235991.pdf", 2, "can be made by electro diagnostic", r"can be \s*\f\s*made"),
    ],
    ids=["line-break", "page-break", "page-break-2"],
)
def test_phrase_across_a_break(searcher, parsed_samples, file, number, phrase, raw):
    letter = next(lt for lt in parsed_samples if Path(lt.path).name == file)
    assert re.search(raw, letter.text), "the letter should print the phrase across the break"
    assert key(letter.path, number) in found(searcher, f'rationale:"{phrase}"')


def _near(first: str, second: str, slop: int) -> Predicate:
    """`second` after `first` with at most `slop` positions between their places."""

    def predicate(letter: Letter, d: Decision) -> bool:
        for text in default_texts(letter, d):
            tokens = words(text)
            at = [i for i, w in enumerate(tokens) if w == first]
            if any(w == second and 0 < j - i <= slop for i in at for j, w in enumerate(tokens)):
                return True
        return False

    return predicate


@pytest.mark.parametrize("slop", [4, 5, 8])
def test_proximity(searcher, parsed_samples, slop):
    """ "provision request"~N: in "no provision to modify the current request" they are 5 apart."""
    want = expected(parsed_samples, _near("provision", "request", slop))
    assert found(searcher, f'"provision request"~{slop}') == want


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("modif*", lambda w: w.startswith("modif")),
        ("opiod~", lambda w: _edit_distance(w, "opiod") <= 1),
        ("rationale:benzodiazepin*", lambda w: w.startswith("benzodiazepin")),
    ],
)
def test_wildcard_and_fuzzy(searcher, parsed_samples, query, matches):
    field = query.split(":")[0] if ":" in query else None

    def predicate(letter: Letter, d: Decision) -> bool:
        texts = [d.rationale] if field == "rationale" else default_texts(letter, d)
        return any(matches(w) for text in texts for w in words(text))

    want = expected(parsed_samples, predicate)
    assert want
    assert found(searcher, query) == want


def test_fuzzy_finds_the_correct_spelling(searcher, parsed_samples):
    says_opioid = expected(
        parsed_samples, lambda lt, d: any("opioid" in words(t) for t in default_texts(lt, d))
    )
    assert says_opioid
    assert says_opioid <= found(searcher, "opiod~")


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Letter]:
    """Seed 000 edited: item 1 says "a provision to modify", item 3 cites ACOEM. Indexed."""
    text = (api.samples_dir() / "000_8e1dcabcf776b057.txt").read_text()
    text = text.replace("there is no provision to", "there is a provision to", 1)
    maximus = (
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines \n\n"
        "Opioids Page(s): 75-80."
    )
    head, _, tail = text.rpartition(maximus)
    acoem = (
        "MAXIMUS guideline: Decision based on ACOEM Practice Guidelines, Chapter 6, Pain, \n\n"
        "Suffering, and the Restoration of Function Page(s): 115."
    )
    archive = tmp_path_factory.mktemp("variant-archive")
    (archive / "variant.txt").write_text(head + acoem + tail)
    index = tmp_path_factory.mktemp("variant-index")
    api.build(archive, index, workers=1)
    return index, load_letter(archive / "variant.txt")[0]


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        (
            '"no provision to modify"',
            lambda lt, d: has_phrase(d.rationale, "no provision to modify"),
        ),
        ('"provision to modify"', lambda lt, d: has_phrase(d.rationale, "provision to modify")),
        ("source:acoem", lambda lt, d: any(c.source == "acoem" for c in d.guidelines)),
        ("page:115", _cites_page(115)),
    ],
)
def test_variant_letter(variant, query, predicate):
    """A rationale with only "a provision to modify" is no match for "no provision to modify"."""
    index, letter = variant
    assert not has_phrase(letter.decisions[0].rationale, "no provision to modify")
    want = expected([letter], predicate)
    assert want
    with api.open_searcher(index) as searcher:
        assert found(searcher, query) == want


FACET_VALUES: dict[str, Callable[[Letter, Decision], set[str]]] = {
    "outcome": lambda lt, d: {d.outcome} - {""},
    "drug": lambda lt, d: {x.generic for x in d.drugs},
    "class": lambda lt, d: {x.drug_class for x in d.drugs},
    "specialty": lambda lt, d: set(lt.reviewer.specialties),
    "year": lambda lt, d: {str(lt.decision_date.year)} if lt.decision_date else set(),
    "source": lambda lt, d: {c.source for c in d.guidelines},
    "format": lambda lt, d: {lt.format},
    "sex": lambda lt, d: {lt.patient.sex} if lt.patient.sex else set(),
}


def facet_counts(
    letters: list[Letter], predicate: Predicate, name: str
) -> dict[str, tuple[int, int]]:
    """{value: (decisions, upheld decisions)} among the decisions matching `predicate`."""
    counts: Counter[str] = Counter()
    upheld: Counter[str] = Counter()
    for letter in letters:
        for d in letter.decisions:
            if predicate(letter, d):
                for value in FACET_VALUES[name](letter, d):
                    counts[value] += 1
                    upheld[value] += d.outcome == "upheld"
    return {value: (count, upheld[value]) for value, count in counts.items()}


FACET_QUERIES: list[tuple[str, Predicate]] = [
    ("format:d", lambda lt, d: True),
    (DESIGN_CARD, lambda lt, d: _design_card(d)),
    ('"not medically necessary"', _default_phrase("not medically necessary")),
    (
        "class:opioid OR source:odg",
        lambda lt, d: _in_class("opioid")(lt, d) or any(c.source == "odg" for c in d.guidelines),
    ),
]


@pytest.mark.parametrize(("query", "predicate"), FACET_QUERIES, ids=[q for q, _ in FACET_QUERIES])
def test_facets_count_exactly_the_matched_decisions(searcher, parsed_samples, query, predicate):
    result = searcher.search(query, limit=None, facets=tuple(FACET_VALUES), facet_limit=100)
    assert result.total == len(expected(parsed_samples, predicate))
    assert [f.name for f in result.facets] == list(FACET_VALUES)
    for facet in result.facets:
        got = {v.value: (v.count, v.upheld) for v in facet.values}
        assert got == facet_counts(parsed_samples, predicate, facet.name), facet.name
        assert [v.count for v in facet.values] == sorted(
            (v.count for v in facet.values), reverse=True
        )
        for v in facet.values:
            assert v.uphold_rate == pytest.approx(v.upheld / v.count)
        assert not facet.truncated


def test_facet_limit_keeps_the_most_frequent_values(searcher, parsed_samples):
    counts = facet_counts(parsed_samples, lambda lt, d: True, "specialty")
    top = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))[:2]
    (facet,) = searcher.search("format:d", limit=1, facets=("specialty",), facet_limit=2).facets
    assert [(v.value, (v.count, v.upheld)) for v in facet.values] == top
    assert facet.truncated


def test_unknown_facet_names_the_valid_ones(searcher):
    with pytest.raises(ImrError) as error:
        searcher.search("format:d", facets=("colour",))
    assert "colour" in error.value.message
    assert all(name in error.value.hint for name in FACET_VALUES)


def test_hits_carry_the_decision(searcher, parsed_samples):
    """Every decision comes back once, with its item, outcome, drugs, date and sources."""
    by_key = {key(lt.path, d.number): (lt, d) for lt in parsed_samples for d in lt.decisions}
    result = searcher.search("format:d", limit=None)
    assert result.total == len(result.hits) == len(by_key)
    for hit in result.hits:
        letter, d = by_key[key(hit.path, hit.item)]
        assert hit.case_number == letter.case_number
        assert (hit.service, hit.outcome) == (d.service, d.outcome)
        assert hit.drugs == [x.name for x in d.drugs]
        assert hit.decision_date == letter.decision_date
        assert hit.guideline_sources == list(dict.fromkeys(c.source for c in d.guidelines))


def test_partial_authorisation_is_found_by_each_request_and_shows_the_eligible_one(
    searcher, parsed_samples
):
    partial = [(lt, d) for lt in parsed_samples for d in lt.decisions if d.original_request]
    assert partial, "the samples should hold a partial authorisation"
    for letter, d in partial:
        assert d.service == d.eligible_request
        for part in (d.original_request, d.authorized_request):
            query = 'service:"' + " ".join(words(part)) + '"'
            hits = {key(h.path, h.item): h for h in searcher.search(query, limit=None).hits}
            assert set(hits) == expected(parsed_samples, _requested(part)), query
            assert hits[key(letter.path, d.number)].service == d.eligible_request
    # a request found only through its original wording: the feature is exercised
    assert any(not has_phrase(d.service, d.original_request) for _, d in partial)


def test_total_counts_decisions_not_letters(searcher, parsed_samples):
    letter = next(lt for lt in parsed_samples if lt.case_number == "CM16-0248698")
    result = searcher.search("case:CM16-0248698", limit=5)
    assert result.total == len(letter.decisions) > 5
    assert len(result.hits) == 5


def _newest_first(days: list[date | None]) -> list[date | None]:
    """Newest first; decisions without a date last."""
    return sorted(days, key=lambda day: (day is None, -day.toordinal() if day else 0))


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("year:2017", _decided(lambda day: day.year == 2017)),
        ("outcome:upheld", lambda lt, d: d.outcome == "upheld"),
    ],
)
def test_sort_by_date_newest_first(searcher, parsed_samples, query, predicate):
    want = _newest_first(
        [lt.decision_date for lt in parsed_samples for d in lt.decisions if predicate(lt, d)]
    )
    result = searcher.search(query, limit=None, sort="date")
    assert [h.decision_date for h in result.hits] == want
    assert result.sort == SortOrder.DATE
    assert searcher.search(query, limit=1).sort == SortOrder.RELEVANCE


def test_unknown_sort_is_a_query_error(searcher):
    with pytest.raises(QueryError):
        searcher.search("format:d", sort="oldest")


@pytest.mark.parametrize(
    ("query", "is_match"),
    [
        ('"no provision to modify"', lambda marked: marked == "no provision to modify"),
        ('"medical clearance"', lambda marked: marked == "medical clearance"),
        ("modif*", lambda marked: marked.startswith("modif") and " " not in marked),
        ("rationale:operative", lambda marked: marked == "operative"),
    ],
)
def test_snippet_spans_mark_the_matched_words_only(searcher, query, is_match):
    """Each span covers one of the query's words or phrases, in order, inside the snippet (a
    hit matched in a field that is not shown has a snippet with none)."""
    hits = searcher.search(query, limit=None).hits
    assert any(hit.snippet.spans for hit in hits)
    for hit in hits:
        spans, text = hit.snippet.spans, hit.snippet.text
        assert all(0 <= a < b <= len(text) for a, b in spans)
        assert all(b1 < a2 for (_, b1), (a2, _) in pairwise(spans))
        assert all(is_match(" ".join(words(text[a:b]))) for a, b in spans), hit.citation()


@pytest.mark.parametrize("spelling", ["CM16-0213037", "cm16-0213037", " CM16-0213037 "])
def test_letter_by_case_number(searcher, parsed_samples, spelling):
    want = next(lt for lt in parsed_samples if lt.case_number == "CM16-0213037")
    letter = searcher.letter(spelling)
    assert letter.case_number == want.case_number
    assert [(d.service, d.outcome) for d in letter.decisions] == [
        (d.service, d.outcome) for d in want.decisions
    ]


def test_letter_by_source_path(searcher, parsed_samples):
    seed = parsed_samples[0]
    assert searcher.letter(seed.path).summary == seed.summary


def test_letter_not_in_the_index(searcher):
    with pytest.raises(ImrError) as error:
        searcher.letter("CM99-0000000")
    assert "CM99-0000000" in error.value.message
