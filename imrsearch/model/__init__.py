"""Plain records that flow through every stage: parsed letters, search hits, facets.

No dependencies beyond the standard library, so the parser, the index, the renderers and the
TUI can all share them without importing each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # named here for type checkers; loaded on first use (`__getattr__`)
    from imrsearch.model.research import (  # noqa: F401
        Phrase,
        PhraseReport,
        SharedTerm,
        Similar,
        Trend,
        TrendPoint,
        TrendSeries,
    )

UPHELD = "upheld"
OVERTURNED = "overturned"


class SortOrder(str, Enum):
    """How hits are ordered: by relevance, or by decision date, newest first."""

    RELEVANCE = "relevance"
    DATE = "date"


@dataclass(frozen=True)
class Drug:
    """A drug named in a disputed item, normalised through the lexicon."""

    name: str  # as the lexicon spells the name that was printed (brand or generic)
    generic: str
    drug_class: str


@dataclass(frozen=True)
class Citation:
    """One guideline cited for a decision: which source, on what topic, which pages."""

    source: str  # "mtus" | "acoem" | "odg" | "other"
    topic: str
    pages: tuple[str, ...] = ()


@dataclass
class Decision:
    """One disputed item and what the reviewer decided about it."""

    number: int  # 1-based position in the letter
    # the item as printed (whitespace folded); for a partial authorisation, the IMR-eligible
    # request, which is what the reviewer decided on
    service: str
    outcome: str  # UPHELD | OVERTURNED | "" when the letter does not say
    ca_guideline: str = ""
    maximus_guideline: str = ""
    rationale: str = ""
    # partial authorisations only: the request as made, the part the claims administrator
    # authorised, and the IMR-eligible remainder (the same text as `service`)
    original_request: str = ""
    authorized_request: str = ""
    eligible_request: str = ""
    drugs: list[Drug] = field(default_factory=list)
    guidelines: list[Citation] = field(default_factory=list)
    # where the letter's pages begin in each section's text: section name ("service",
    # "rationale") → [(offset in that text, page number)], the first at offset 0; a section
    # missing here could not be placed on a page
    pages: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


PageMarks = list[tuple[int, int]]  # (offset in a text, the page that starts there), in order


def pages_between(marks: PageMarks, start: int, end: int) -> tuple[int, ...]:
    """The pages the characters `start` to `end` of a text stand on, given where its pages
    begin (`Decision.pages`, `page_marks`); () when the marks are unknown."""
    if not marks:
        return ()
    first = last = marks[0][1]
    for offset, page in marks:
        if offset <= start:
            first = page
        if offset < max(end, start + 1):
            last = page
    return tuple(range(first, last + 1))


def page_marks(text: str) -> PageMarks:
    """Where the pages of a whole letter's text begin: a form feed ends a page."""
    marks = [(0, 1)]
    at = text.find("\f")
    while at >= 0:
        marks.append((at + 1, len(marks) + 1))
        at = text.find("\f", at + 1)
    return marks


def pin(pages: tuple[int, ...]) -> str:
    """Pages as a pin cite: "p. 3", "pp. 3-4", "" when unknown."""
    if not pages:
        return ""
    if pages[0] == pages[-1]:
        return f"p. {pages[0]}"
    return f"pp. {pages[0]}-{pages[-1]}"


@dataclass
class Reviewer:
    states: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)


@dataclass
class Patient:
    age: int | None = None
    sex: str | None = None  # "male" | "female"


@dataclass
class Letter:
    """A parsed IMR final determination letter."""

    path: str  # the file it was read from, in display form (see vocab.paths)
    format: str = "unknown"
    case_number: str | None = None
    date_assigned: date | None = None
    decision_date: date | None = None
    date_of_injury: date | None = None
    ur_denial_date: date | None = None
    application_received: date | None = None
    priority: str | None = None
    reviewer: Reviewer = field(default_factory=Reviewer)
    patient: Patient = field(default_factory=Patient)
    summary: str = ""
    decisions: list[Decision] = field(default_factory=list)
    text: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, *, include_text: bool = False) -> dict[str, Any]:
        """The stable JSON shape scripts rely on (see `imrsearch parse --json`)."""
        out: dict[str, Any] = {
            "path": self.path,
            "format": self.format,
            "case_number": self.case_number,
        }
        for name in (
            "date_assigned",
            "decision_date",
            "date_of_injury",
            "ur_denial_date",
            "application_received",
        ):
            value = getattr(self, name)
            out[name] = value.isoformat() if value else None
        out["priority"] = self.priority
        out["reviewer"] = asdict(self.reviewer)
        out["patient"] = asdict(self.patient)
        out["summary"] = self.summary
        out["decisions"] = [decision_to_dict(d) for d in self.decisions]
        out["warnings"] = list(self.warnings)
        if include_text:
            out["text"] = self.text
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Letter:
        """Inverse of `to_dict` (used to read letters back from the index)."""

        def day(name: str) -> date | None:
            value = data.get(name)
            return date.fromisoformat(value) if value else None

        return cls(
            path=data["path"],
            format=data.get("format", "unknown"),
            case_number=data.get("case_number"),
            date_assigned=day("date_assigned"),
            decision_date=day("decision_date"),
            date_of_injury=day("date_of_injury"),
            ur_denial_date=day("ur_denial_date"),
            application_received=day("application_received"),
            priority=data.get("priority"),
            reviewer=Reviewer(**data.get("reviewer", {})),
            patient=Patient(**data.get("patient", {})),
            summary=data.get("summary", ""),
            decisions=[decision_from_dict(d) for d in data.get("decisions", [])],
            text=data.get("text", ""),
            warnings=list(data.get("warnings", [])),
        )


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "number": decision.number,
        "service": decision.service,
        "outcome": decision.outcome,
        "ca_guideline": decision.ca_guideline,
        "maximus_guideline": decision.maximus_guideline,
        "rationale": decision.rationale,
        "original_request": decision.original_request,
        "authorized_request": decision.authorized_request,
        "eligible_request": decision.eligible_request,
        "drugs": [
            {"name": d.name, "generic": d.generic, "class": d.drug_class} for d in decision.drugs
        ],
        "guidelines": [
            {"source": c.source, "topic": c.topic, "pages": list(c.pages)}
            for c in decision.guidelines
        ],
        "pages": {name: [list(mark) for mark in marks] for name, marks in decision.pages.items()},
    }


def decision_from_dict(data: dict[str, Any]) -> Decision:
    return Decision(
        number=data["number"],
        service=data["service"],
        outcome=data["outcome"],
        ca_guideline=data.get("ca_guideline", ""),
        maximus_guideline=data.get("maximus_guideline", ""),
        rationale=data.get("rationale", ""),
        original_request=data.get("original_request", ""),
        authorized_request=data.get("authorized_request", ""),
        eligible_request=data.get("eligible_request", ""),
        drugs=[Drug(d["name"], d["generic"], d["class"]) for d in data.get("drugs", [])],
        guidelines=[
            Citation(c["source"], c["topic"], tuple(c["pages"])) for c in data.get("guidelines", [])
        ],
        pages={
            name: [(int(offset), int(page)) for offset, page in marks]
            for name, marks in data.get("pages", {}).items()
        },
    )


@dataclass(frozen=True)
class Highlight:
    """What a query looks for in a letter's text, for every view to mark (see
    `imrsearch.highlight`): single words, and phrases as runs of words, all lower case."""

    words: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, ...]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


@dataclass(frozen=True)
class Snippet:
    """A passage of a field and where the query's words are in it.

    The matches travel beside the text, never inside it: a letter can hold any character, so
    no character in the text can be allowed to mean "highlight here".
    """

    text: str
    spans: tuple[tuple[int, int], ...] = ()  # (start, end) of each match in `text`, in order


@dataclass(frozen=True)
class Passage:
    """The whole sentence(s) of a hit's matched passage, as a citation quotes it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()  # the matches in `text`
    pages: tuple[int, ...] = ()  # the letter's pages it stands on; () when unknown
    section: str = ""  # "rationale", "service" or "text" (a whole letter's)
    # the text had no sentence end near the match: the passage is cut at a word, marked "…"
    cut_before: bool = False
    cut_after: bool = False


@dataclass
class Hit:
    """One matching decision, or one matching letter that has no parsed decision (`item` None:
    the letter is answered as a whole), with what a reader needs to judge, cite and filter it."""

    case_number: str | None
    path: str  # the letter's file, in display form
    item: int | None  # 1-based item number within the letter; None for a whole-letter hit
    service: str
    outcome: str
    drugs: list[str]
    score: float
    snippet: Snippet
    decision_date: date | None = None
    guideline_sources: list[str] = field(default_factory=list)  # mtus, acoem, odg, other
    guidelines: list[Citation] = field(default_factory=list)  # what the decision cites
    date_of_injury: date | None = None
    specialties: list[str] = field(default_factory=list)  # the reviewer's
    states: list[str] = field(default_factory=list)  # where the reviewer is licensed
    age: int | None = None  # the patient's
    sex: str | None = None  # the patient's: "male" | "female"
    # the whole sentence(s) holding the snippet's matches, and the pages they stand on
    passage: Passage | None = None

    @property
    def label(self) -> str:
        """The case number, or the file's name for letters that print none."""
        return self.case_number or self.path.rsplit("/", 1)[-1]

    @property
    def where(self) -> str:
        """Which part of the letter matched: "item 2", or the whole letter."""
        return WHOLE_LETTER if self.item is None else f"item {self.item}"

    def citation(self) -> str:
        decided = f" (decided {self.decision_date.isoformat()})" if self.decision_date else ""
        return f"{self.label}, {self.where}{decided}"


# How a hit on a letter with no parsed decision is labelled in every view.
WHOLE_LETTER = "whole letter"
NO_ITEMS = "no items found"


def cited(citation: Citation) -> str:
    """One citation as a line of text: "MTUS: Chronic Pain ... Opioids, p. 75-80"."""
    pages = f", p. {', '.join(citation.pages)}" if citation.pages else ""
    return f"{citation.source.upper()}: {citation.topic}{pages}"


@dataclass
class FacetValue:
    value: str
    count: int
    upheld: int  # decisions among `count` whose outcome is upheld
    selected: bool  # the query already requires this value (a top-level field:value)

    @property
    def uphold_rate(self) -> float:
        return self.upheld / self.count if self.count else 0.0


@dataclass
class Facet:
    """Counts per value of one field among a search's matches, as plain data for every view."""

    name: str
    values: list[FacetValue]
    truncated: bool = False  # more values than the limit: only the most frequent are listed
    overlap: bool = False  # a decision can count under several values (see QueryField.overlap)


@dataclass
class SearchResult:
    query: str
    total: int  # matching decisions, plus matching letters that have no decision (one each)
    hits: list[Hit]
    facets: list[Facet] = field(default_factory=list)
    elapsed: float = 0.0  # seconds spent searching
    highlight: Highlight = field(default_factory=Highlight)  # what every view marks
    # the hits' order: by date, a hit's score is its sort key, not a relevance worth showing
    sort: SortOrder = SortOrder.RELEVANCE
    whole_letters: int = 0  # of `total`: letters with no parsed decision, matched as a whole


@dataclass
class FileError:
    path: str
    reason: str


@dataclass
class BuildReport:
    """What a build or update did, for the summary and the saved error report."""

    index: str
    archive: str
    mode: str  # "build" | "update"
    letters: int = 0  # letters in the index afterwards
    decisions: int = 0
    added: int = 0  # files (re)parsed in this run
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0  # files that are not .txt or .pdf
    formats: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    warnings: int = 0  # letters parsed with warnings
    failures: list[FileError] = field(default_factory=list)  # files not indexed
    # indexed, but no disputed item was found in them: each is found as a whole letter
    text_only: list[FileError] = field(default_factory=list)
    # not indexed: the same letter (case number and content) as a file before it in walk order,
    # which the reason names ("duplicate of PATH"); len() is how many
    duplicates: list[FileError] = field(default_factory=list)
    seconds: float = 0.0
    size_bytes: int = 0
    # per saved search, what it matches in the new index and how many of those are new
    saved: list[SavedNews] = field(default_factory=list)


@dataclass(frozen=True)
class SavedSearch:
    """One saved search: its name, the query and the `query` options it runs with (sort,
    limit, all, facet, facet_limit), as `saved-searches.json` keeps it."""

    name: str
    query: str
    options: dict[str, Any] = field(default_factory=dict)
    added: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "options": self.options,
            "added": self.added,
        }


@dataclass
class SavedNews:
    """One saved search after a build or update: its matching decisions, how many of them are
    new (None with nothing earlier to compare), or why it could not run."""

    name: str
    query: str
    matched: int | None
    new: int | None
    error: str | None = None
    recorded: str = ""  # when the build or update recorded it (UTC, ISO 8601)


@dataclass(frozen=True)
class QueryField:
    """One field of the query language, as every view shows it (see `engine.registry`)."""

    name: str  # what users type: outcome, drug, class ...
    index: str  # the Whoosh field it searches
    kind: str  # "text" | "keyword" | "number" | "date"
    description: str
    example: str  # a whole query clause, e.g. outcome:upheld
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # the closed vocabulary, where there is one
    facet: str = ""  # the facet's title where the field can be counted by value, else ""
    # a decision can hold several values (a reviewer several specialties, an item several
    # drugs), so a facet's counts may add up to more than the decisions counted
    overlap: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


_RESEARCH = {
    "Phrase",
    "PhraseReport",
    "SharedTerm",
    "Similar",
    "Trend",
    "TrendPoint",
    "TrendSeries",
}


def __getattr__(name: str) -> Any:
    """The research tools' records (`model.research`), loaded when first named."""
    if name in _RESEARCH:
        from imrsearch.model import research

        return getattr(research, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
