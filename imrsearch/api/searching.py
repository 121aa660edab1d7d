"""Asking an index: an open index with its searches and research tools, the one-shot helpers,
and narrowing or widening a query by a facet value."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imrsearch.api.location import store_at
from imrsearch.model import Highlight, Hit, Letter, SearchResult, SortOrder

if TYPE_CHECKING:  # the research records load with the research tools (`model.research`)
    from imrsearch.model.research import PhraseReport, Similar, Trend


class OpenIndex:
    """An open index as the front ends see it: queries in, plain model objects out.

    The engine's searcher stays inside; nothing here hands out a Whoosh object or a query
    tree. Cheap to query many times (the TUI keeps one); a command opens one per run.
    """

    def __init__(
        self,
        index: Path | None = None,
        time_limit: float | None = None,
        workers: int = 0,
        fork: bool = False,
    ) -> None:
        """`time_limit`: seconds a search may run before it fails (`SearchTimeout`); the
        engine's default without it. `workers`: processes that each read a share of a large
        index's segments for every search, started once (fresh interpreters; forked from
        this process with `fork`, which only a process running no other thread may ask)."""
        from imrsearch.engine.checked import CheckedSearcher

        self._searcher = CheckedSearcher(store_at(index), workers, fork)
        if time_limit is not None:
            self._searcher.time_limit = time_limit

    def search(
        self,
        query: str,
        limit: int | None = 20,
        sort: SortOrder | str = SortOrder.RELEVANCE,
        facets: tuple[str, ...] = (),
        facet_limit: int = 10,
        cancel: threading.Event | None = None,
    ) -> SearchResult:
        """The first `limit` hits (every hit with None), the exact total, and facet counts.
        Setting `cancel` (from any thread) stops the search at once with an `ImrError`, as
        does the engine's time limit."""
        return self._searcher.search(
            query,
            limit=limit,
            sort=_sort_name(sort),
            facets=facets,
            facet_limit=facet_limit,
            cancel=cancel,
        )

    def iter_hits(self, query: str, sort: SortOrder | str = SortOrder.RELEVANCE) -> Iterator[Hit]:
        """Every hit, made one at a time as an export writes it."""
        return self._searcher.iter_hits(query, sort=_sort_name(sort))

    def letter(self, case_or_path: str) -> Letter:
        return self._searcher.letter(case_or_path)

    def trend(self, query: str, by: str = "month", facet: str = "", facet_limit: int = 5) -> Trend:
        """Matching decisions per month, quarter or year, upheld and overturned; with `facet`,
        a series for each of its `facet_limit` most frequent values too."""
        from imrsearch.engine.trend import trend

        return self._searcher.run(trend, query, by, facet, facet_limit)

    def similar(self, case: str, decision: int | None = None, limit: int = 20) -> Similar:
        """The decisions most like item `decision` (default 1) of letter `case`, with the key
        terms each shares with it."""
        from imrsearch.engine.similar import similar

        return self._searcher.run(similar, case, decision, limit)

    def phrases(
        self, query: str, limit: int = 20, minimum: int = 2, by_outcome: bool = False
    ) -> PhraseReport:
        """Passages recurring in the rationales of `query`'s matches, most distinctive against
        the whole index first (with `by_outcome`: upheld against overturned)."""
        from imrsearch.engine.phrases import phrases

        return self._searcher.run(phrases, query, limit, minimum, by_outcome)

    def highlight(self, query: str) -> Highlight:
        """What `query` looks for in a letter's text, for `imrsearch.highlight` to mark."""
        return self._searcher.highlight(query)

    def refresh(self) -> None:
        """Read the newest published generation from now on."""
        self._searcher.refresh()

    def close(self) -> None:
        self._searcher.close()

    def __enter__(self) -> OpenIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sort_name(sort: SortOrder | str) -> str:
    """The engine checks the name (an unknown one is a QueryError with a hint)."""
    return sort.value if isinstance(sort, SortOrder) else sort


def open_searcher(index: Path | None = None, workers: int = 0, fork: bool = False) -> OpenIndex:
    """The live index, opened; its files are checked before Whoosh reads them."""
    return OpenIndex(index, workers=workers, fork=fork)


def search(query: str, index: Path | None = None, **options: Any) -> SearchResult:
    with open_searcher(index) as searcher:
        return searcher.search(query, **options)


def show(case: str, index: Path | None = None) -> Letter:
    with open_searcher(index) as searcher:
        return searcher.letter(case)


def narrow(query: str, field: str, value: str) -> str:
    """`query` also requiring `value` in `field` (a facet value chosen), as text to show and
    search: the user's text with the clause appended, or unchanged if it already requires it.
    `QueryError` for a malformed query or a value the query language cannot express."""
    from imrsearch.engine.narrow import narrow as narrowed

    return narrowed(query, field, value)


def widen(query: str, field: str, value: str) -> str:
    """`query` with its top-level clauses requiring `value` in `field` cut out ("" if nothing
    else is left); unchanged if it does not require the value."""
    from imrsearch.engine.narrow import widen as widened

    return widened(query, field, value)
