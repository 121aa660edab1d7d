"""Research facets derived from a decision: service category, guideline topic, age band, month.

The rules are data (`categories.tsv`, `topics.tsv` beside this module, read once through
importlib.resources), so a reviewer can read and amend them without reading code; this module
only applies them. Importable without Whoosh: the field registry takes its closed values here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from imrsearch.model import Drug
from imrsearch.vocab.drugs import CLASSES

OTHER = "other"
DRUG_RULE = "@drug"  # a pattern: the item names a drug of the lexicon
DRUG_CLASS = "@class"  # a subcategory: that drug's class
COMPOUND = "compound"  # the subcategory of an item whose drugs are of several classes
# The age bands researchers and the DWC's reports use; letters give ages 16 to 90-odd.
AGE_BANDS = ("under 30", "30-39", "40-49", "50-59", "60-69", "70 and over")


@dataclass(frozen=True)
class Rule:
    category: str
    subcategory: str
    pattern: re.Pattern[str] | None  # None: the drug rule


@cache
def _rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of a rules file: tab-separated, a header, '#' comments."""
    text = files("imrsearch.vocab").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(tuple(line.split("\t")) for line in lines[1:])


@cache
def category_rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(cat, sub, None if pattern == DRUG_RULE else re.compile(pattern))
        for cat, sub, pattern in _rows("categories.tsv")
    )


@cache
def topic_rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((topic, re.compile(pattern)) for topic, pattern in _rows("topics.tsv"))


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Each value once, in order of first mention, with "other" last."""
    return (*(v for v in dict.fromkeys(values) if v != OTHER), OTHER)


# The closed values come from the rules' names alone: compiling their patterns waits for the
# first letter to categorise, so a query's start-up does not pay for it.
CATEGORIES: tuple[str, ...] = _unique(cat for cat, _, _ in _rows("categories.tsv"))
SUBCATEGORIES: tuple[str, ...] = _unique(
    [
        *(sub for _, sub, _ in _rows("categories.tsv") if sub != DRUG_CLASS),
        *CLASSES,
        COMPOUND,
    ]
)
TOPICS: tuple[str, ...] = _unique(topic for topic, _ in _rows("topics.tsv"))


def categorize(service: str, drugs: Sequence[Drug]) -> tuple[str, str]:
    """(category, subcategory) of a disputed item: the first rule that matches, else other."""
    text = " ".join(service.lower().split())
    for rule in category_rules():
        if rule.pattern is None:
            if not drugs:
                continue
            classes = {d.drug_class for d in drugs}
            return rule.category, classes.pop() if len(classes) == 1 else COMPOUND
        if rule.pattern.search(text):
            return rule.category, rule.subcategory
    return OTHER, OTHER


def topic_of(citation_topic: str) -> str:
    """The guideline topic a citation names ("Chronic Pain ..., Benzodiazepines" →
    benzodiazepines), else other."""
    text = " ".join(citation_topic.lower().split())
    for topic, pattern in topic_rules():
        if pattern.search(text):
            return topic
    return OTHER


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    if age < 30:
        return AGE_BANDS[0]
    if age >= 70:
        return AGE_BANDS[-1]
    return AGE_BANDS[(age - 20) // 10]


def month_of(day: date | None) -> str | None:
    """The decision month as written in queries and facets: 2016-12."""
    return f"{day.year:04d}-{day.month:02d}" if day else None
