"""Saved searches: keep, list, find and forget them, what the last build or update recorded
for each, and an open index that answers with only a saved search's new matches."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from imrsearch.api.location import index_location, store_at
from imrsearch.api.searching import OpenIndex, open_searcher
from imrsearch.model import SavedNews, SavedSearch


class NewMatches(OpenIndex):
    """The live index answering only with a saved search's new matches: those first matched
    by the last build or update, or on or after `since`. Same results, counts and facets as
    `OpenIndex`, restricted to them."""

    def __init__(self, saved: SavedSearch, since: date | None, index: Path | None = None) -> None:
        from imrsearch.engine.news import NewSearcher

        self.saved = saved
        self._searcher = NewSearcher(store_at(index), saved, since)


def saved_searches(index: Path | None = None) -> list[SavedSearch]:
    """The index's saved searches, oldest first; an error names a file that cannot be read."""
    from imrsearch.engine.saved import load

    return load(index_location(index))


def saved_search(name: str, index: Path | None = None) -> SavedSearch:
    from imrsearch.engine.saved import find

    return find(index_location(index), name)


def save_search(
    name: str,
    query: str,
    options: dict[str, Any] | None = None,
    index: Path | None = None,
    replace: bool = False,
) -> SavedSearch:
    """Keep `query` under `name` with its `query` options (see `SavedSearch`); the query is
    checked against the index first, so a saved search always parses."""
    from imrsearch.engine.saved import add, check_name, check_query

    check_name(name)
    check_query(query)
    with open_searcher(index) as searcher:
        searcher.highlight(query)  # parses it as a search would: QueryError if it cannot
    return add(store_at(index), SavedSearch(name, query, dict(options or {})), replace)


def remove_search(name: str, index: Path | None = None) -> SavedSearch:
    from imrsearch.engine.saved import remove

    return remove(store_at(index), name)


def saved_news(index: Path | None = None) -> list[SavedNews]:
    """What the live index's last build or update recorded for each saved search."""
    from imrsearch.engine.news import summary

    return summary(store_at(index).require_live())
