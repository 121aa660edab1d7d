"""Every field of the query language, declared once.

The parser's aliases and value checks, the schema's facet columns, `--help`, the TUI's
completions, facet titles and help screen, every view's note that a facet's counts can
overlap, and the README's docs test are all derived from `FIELDS`. Adding a field touches
this table, the document builder (`engine.documents`) and the README's field table; nothing
else. Importable without Whoosh (the CLI's help needs it).
"""

from __future__ import annotations

from imrsearch.model import QueryField
from imrsearch.vocab.categories import AGE_BANDS, CATEGORIES, SUBCATEGORIES, TOPICS

OUTCOMES = ("upheld", "overturned")
GUIDELINE_SOURCES = ("mtus", "acoem", "odg", "other")
SEXES = ("male", "female")
FORMATS = ("a", "b", "c", "d", "unknown")

FIELDS: tuple[QueryField, ...] = (
    QueryField(
        "outcome", "outcome", "keyword", "upheld | overturned", "outcome:upheld",
        aliases=("result",), values=OUTCOMES, facet="Outcome",
    ),
    QueryField(
        "drug", "drug", "text", "brand/generic/kit: finds all", "drug:valium",
        aliases=("med", "medication"), facet="Drug", overlap=True,
    ),
    QueryField(
        "class", "drug_class", "keyword", "drug class or alias (benzos)", 'class:"muscle relaxant"',
        aliases=("drugclass",), facet="Drug class", overlap=True,
    ),
    QueryField(
        "service", "service", "text", "words of the disputed item", "service:mri",
        aliases=("item", "request"),
    ),
    QueryField(
        "rationale", "rationale", "text", "the decision rationale", 'rationale:"not supported"',
        aliases=("why",),
    ),
    QueryField(
        "summary", "summary", "text", "the clinical case summary", "summary:fusion",
        aliases=("history",),
    ),
    QueryField(
        "guideline", "guideline", "text", "guideline citations", "guideline:benzodiazepines",
        aliases=("cite",),
    ),
    QueryField(
        "source", "source", "keyword", "mtus | acoem | odg | other", "source:odg",
        aliases=("src",), values=GUIDELINE_SOURCES, facet="Guideline source",
        overlap=True,
    ),
    QueryField(
        "page", "page", "keyword", "cited page (ranges too)", "page:80",
        aliases=("pages",),
    ),
    QueryField(
        "specialty", "specialty", "text", "reviewer specialty", 'specialty:"pain medicine"',
        aliases=("spec",), facet="Specialty", overlap=True,
    ),
    QueryField(
        "state", "state", "text", "reviewer licensure state", "state:california",
        aliases=("licensed",), facet="Licensure state", overlap=True,
    ),
    QueryField("age", "age", "number", "patient age", "age:>60"),
    QueryField(
        "sex", "sex", "keyword", "male | female", "sex:female",
        aliases=("gender",), values=SEXES, facet="Sex",
    ),
    QueryField(
        "injured", "injured", "date", "date of injury", "injured:<2010-01-01",
        aliases=("doi",),
    ),
    QueryField(
        "decided", "decided", "date", "decision date", "decided:>=2016-12-01",
        aliases=("date",),
    ),
    QueryField("assigned", "assigned", "date", "date assigned", "assigned:2016-11"),
    QueryField("year", "year", "number", "decision year", "year:2016", facet="Year"),
    QueryField(
        "case", "case", "keyword", "case number", "case:CM16-0213037", aliases=("cm",)
    ),
    QueryField(
        "format", "format", "keyword", "a | b | c | d | unknown", "format:d",
        aliases=("layout",), values=FORMATS, facet="Letter layout",
    ),
    # research facets, derived at index time by the rules in vocab/categories.tsv and topics.tsv
    QueryField(
        "category", "category", "keyword", "service category of the item",
        'category:"diagnostic imaging"', aliases=("cat",), values=CATEGORIES,
        facet="Service category",
    ),
    QueryField(
        "subcategory", "subcategory", "keyword", "subcategory (drug class for drugs)",
        "subcategory:mri", aliases=("subcat",), values=SUBCATEGORIES, facet="Subcategory",
    ),
    QueryField(
        "month", "month", "keyword", "decision month", "month:2016-12", facet="Decision month",
    ),
    QueryField(
        "ageband", "ageband", "keyword", "patient age band", "ageband:50-59",
        values=AGE_BANDS, facet="Age band",
    ),
    QueryField(
        "topic", "topic", "keyword", "guideline topic cited", "topic:benzodiazepines",
        values=TOPICS, facet="Guideline topic", overlap=True,
    ),
)  # fmt: skip

# Values that unambiguously mean one of a closed field's values (the IMR upholds the denial, or
# overturns it and the treatment is approved); any other value is refused with the valid ones.
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "outcome": {"denied": "upheld", "approved": "overturned"},
    "sex": {"m": "male", "f": "female"},
}

BY_NAME: dict[str, QueryField] = {name: f for f in FIELDS for name in f.names}
BY_INDEX: dict[str, QueryField] = {f.index: f for f in FIELDS}
FACETS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.facet)
# What unfielded words and phrases search; `text` is the whole text of a letter that has no
# decision (not a field of the language: its letter-level fields are).
DEFAULT_FIELDS = ("service", "rationale", "summary", "guideline", "text")


def field_names() -> list[str]:
    """Every field name and alias the language accepts, sorted (completion and messages)."""
    return sorted(BY_NAME)


def user_name(index_field: str) -> str:
    """The name users type for an index field (drug_class → class)."""
    field = BY_INDEX.get(index_field)
    return field.name if field else index_field
