"""What the research tools answer: trends, similar decisions, recurring phrases (see
`engine.trend`, `engine.similar`, `engine.phrases`).

Apart from the records of letters and hits (`imrsearch.model`) because only the research
tools build them: a query's start-up does not create their classes. `imrsearch.model` still
names them, loading this module on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from imrsearch.model import SearchResult


@dataclass
class TrendPoint:
    """Matching decisions in one period ("2016-12", "2016-Q4" or "2016")."""

    period: str
    count: int
    upheld: int
    overturned: int

    @property
    def uphold_rate(self) -> float:
        return self.upheld / self.count if self.count else 0.0


@dataclass
class TrendSeries:
    name: str  # the facet value, or "" for every match
    points: list[TrendPoint]

    @property
    def total(self) -> int:
        return sum(p.count for p in self.points)


@dataclass
class Trend:
    """A query's matches per period: every match first, then one series per facet value."""

    query: str
    by: str  # month | quarter | year
    total: int  # matching decisions, as `query` counts them
    undated: int  # of `total`: letters that print no decision date, in no period
    series: list[TrendSeries]
    facet: str = ""  # the facet that splits the series after the first, if any
    elapsed: float = 0.0


@dataclass
class SharedTerm:
    """A key term of the decision compared, and the field it comes from."""

    field: str
    term: str


@dataclass
class Similar:
    """Decisions most like one decision: its key terms, and hits as `query` shows them."""

    source: str  # the decision compared, as a citation
    terms: list[SharedTerm]  # its key terms, most weighty first
    result: SearchResult  # hits in order of likeness; `total` counts every decision alike
    shared: list[list[SharedTerm]]  # per hit of `result.hits`: the key terms it shares


@dataclass
class Phrase:
    """A passage that recurs in the rationales of a search's matches."""

    text: str
    decisions: int  # matching decisions whose rationale holds it
    upheld: int
    overturned: int
    # its estimated share of the other decisions of the index, from a fixed sample of them
    elsewhere: float
    score: float  # distinctiveness: log-likelihood G² against the rest of the index (estimated)
    example: str  # a citation of one decision that holds it
    query: str  # the query that finds the decisions holding it

    @property
    def uphold_rate(self) -> float:
        return self.upheld / self.decisions if self.decisions else 0.0


@dataclass
class PhraseReport:
    query: str
    total: int  # matching decisions
    phrases: list[Phrase]
    # with --by outcome: the passages most distinctive of upheld and of overturned decisions
    by_outcome: dict[str, list[Phrase]] = field(default_factory=dict)
    elapsed: float = 0.0
    sampled: int = 0  # matching decisions read to find the passages (all, up to 2,000)
