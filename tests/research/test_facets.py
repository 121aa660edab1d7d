"""Research facets on the real letters: service categories against items labelled by reading
them, and each new field's matches against a direct count over the parsed letters."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.model import Letter
from imrsearch.vocab.categories import (
    AGE_BANDS,
    CATEGORIES,
    OTHER,
    SUBCATEGORIES,
    age_band,
    categorize,
    topic_of,
)

LABELLED = Path(__file__).resolve().parents[1] / "data" / "categories-labelled.tsv"


def labelled() -> list[dict[str, str]]:
    lines = [line for line in LABELLED.read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_the_labelled_set_is_large_and_covers_every_category() -> None:
    rows = labelled()
    assert len(rows) >= 60
    assert {r["category"] for r in rows} == set(CATEGORIES)
    assert all(r["subcategory"] in SUBCATEGORIES for r in rows)


def test_categories_agree_with_the_items_labelled_by_reading(real_letters: list[Letter]) -> None:
    items = {(x.case_number, str(d.number)): d for x in real_letters for d in x.decisions}
    wrong = []
    for row in labelled():
        decision = items[(row["case"], row["item"])]
        found = categorize(decision.service, decision.drugs)
        if found != (row["category"], row["subcategory"]):
            wrong.append((row["case"], row["item"], found))
    assert wrong == []


def test_every_real_item_has_a_category_and_few_are_other(real_letters: list[Letter]) -> None:
    found = Counter(
        categorize(d.service, d.drugs)[0] for letter in real_letters for d in letter.decisions
    )
    assert set(found) <= set(CATEGORIES)
    assert sum(found.values()) > 250
    assert found[OTHER] / sum(found.values()) < 0.02


@pytest.mark.parametrize(
    ("cited", "topic"),
    [
        ("Chronic Pain Medical Treatment 2016, Benzodiazepines, Benzodiazepine", "benzodiazepines"),
        ("Opioid Treatment 2016, 4.1 Tapering Opioids: Indications", "opioids"),
        ("Low Back Complaints 2004, Special Studies", "low back"),
        ("Low Back, Epidural steroid injections (ESIs)", "epidural steroid injections"),
        ("Pain (Benzodiazepines)", "benzodiazepines"),
        ("What is an electrocardiogram? National Heart, Lung, and Blood Institute", OTHER),
    ],
)
def test_a_citation_names_its_topic(cited: str, topic: str) -> None:
    assert topic_of(cited) == topic


def test_age_bands_cover_every_age() -> None:
    assert [age_band(a) for a in (18, 29, 30, 49, 69, 70, 95)] == [
        "under 30", "under 30", "30-39", "40-49", "60-69", "70 and over", "70 and over",
    ]  # fmt: skip
    assert age_band(None) is None
    assert {age_band(a) for a in range(15, 100)} == set(AGE_BANDS)


def direct(real_letters: list[Letter], keep) -> int:
    return sum(1 for letter in real_letters for d in letter.decisions if keep(letter, d))


def test_each_field_finds_what_a_direct_count_finds(
    real_index: Path, real_letters: list[Letter]
) -> None:
    cases = {
        'category:"diagnostic imaging"': lambda _, d: (
            categorize(d.service, d.drugs)[0] == "diagnostic imaging"
        ),
        "subcategory:benzodiazepine": lambda _, d: (
            categorize(d.service, d.drugs)[1] == "benzodiazepine"
        ),
        "month:2016-12": lambda x, _: (
            x.decision_date is not None
            and (x.decision_date.year, x.decision_date.month) == (2016, 12)
        ),
        'ageband:"50-59"': lambda x, _: x.patient.age is not None and 50 <= x.patient.age <= 59,
        'state:"north carolina"': lambda x, _: "North Carolina" in x.reviewer.states,
        "topic:benzodiazepines": lambda _, d: any(
            topic_of(c.topic) == "benzodiazepines" for c in d.guidelines
        ),
    }
    with api.open_searcher(real_index) as searcher:
        for query, keep in cases.items():
            expected = direct(real_letters, keep)
            assert expected > 0, query
            assert searcher.search(query, limit=0).total == expected, query


def test_facets_count_every_match_once(real_index: Path) -> None:
    with api.open_searcher(real_index) as searcher:
        result = searcher.search(
            "outcome:upheld", limit=0, facets=("category", "month", "ageband"), facet_limit=50
        )
    by_name = {f.name: f for f in result.facets}
    assert sum(v.count for v in by_name["category"].values) == result.total
    assert all(v.upheld == v.count for v in by_name["category"].values)
    # letters print no decision date or age sometimes: those decisions have no value
    assert 0 < sum(v.count for v in by_name["month"].values) <= result.total
    assert [v.value for v in by_name["month"].values if v.value.startswith("2016")] == ["2016-12"]


def test_a_category_facet_value_narrows_the_query(real_index: Path) -> None:
    narrowed = api.narrow("outcome:upheld", "category", "dme and supplies")
    assert narrowed == 'outcome:upheld category:"dme and supplies"'
    with api.open_searcher(real_index) as searcher:
        result = searcher.search(narrowed, limit=0, facets=("category",))
    assert result.total > 0
    assert [(v.value, v.selected) for v in result.facets[0].values] == [("dme and supplies", True)]
