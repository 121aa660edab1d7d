"""The app's one open index, shared by its worker threads.

Whoosh searchers are not made for concurrent use, so every call takes the same lock. A thread
worker that Textual cancels still runs to its end, so a search also takes an event that stops
it at its next read of the index (the app sets it on Esc and when a newer search starts).
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import TextIO

from imrsearch import api
from imrsearch.model import Hit, Letter, SavedSearch, SearchResult, Similar, Trend

# The side panel shows every facet the query language declares, in its order and under its
# title there, as the CLI, the JSON and the web do: a facet added to the registry shows up here.
FACETS = {f.name: f.facet for f in api.QUERY_FIELDS if f.facet}
FACET_LIMIT = 8
RESULT_LIMIT = 200


class Backend:
    """Opens the searcher on first use and keeps it until `close`."""

    def __init__(self, index: Path | None) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._searcher: api.OpenIndex | None = None

    def _open(self) -> api.OpenIndex:
        if self._searcher is None:
            # one search worker per core beside this process (see `engine.parallel`)
            self._searcher = api.open_searcher(self.index, workers=(os.cpu_count() or 1) - 1)
        return self._searcher

    def warm_up(self) -> None:
        """Open the index ahead of the first query, so that one answers quickly."""
        with self._lock:
            self._open()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def search(self, text: str, cancel: threading.Event | None = None) -> SearchResult:
        """The first page of hits with facet counts, and what to highlight in letters; setting
        `cancel` stops it at once (an `ImrError`), which frees the index for the next call."""
        with self._lock:
            searcher = self._open()
            searcher.refresh()  # an update run elsewhere shows up at the next search
            result = searcher.search(
                text,
                limit=RESULT_LIMIT,
                facets=tuple(FACETS),
                facet_limit=FACET_LIMIT,
                cancel=cancel,
            )
            return result

    def trend(self, text: str) -> Trend:
        """The trend of `text` by month (the TUI's trend screen)."""
        with self._lock:
            return self._open().trend(text, by="month")

    def similar(self, hit: Hit) -> Similar:
        """The decisions most like the decision `hit` (the TUI's similar screen)."""
        with self._lock:
            return self._open().similar(hit.path, hit.item, limit=20)

    def save(self, name: str, query: str) -> SavedSearch:
        """`query` saved under `name` in the index's saved searches, as `imrsearch saved add`
        keeps it (checked first; a name taken or unusable is an `ImrError`)."""
        return api.save_search(name, query, index=self.index)

    def saved(self) -> list[SavedSearch]:
        """The index's saved searches, oldest first."""
        return api.saved_searches(self.index)

    def letter(self, source: str) -> Letter:
        with self._lock:
            return self._open().letter(source)

    def export(self, text: str, fmt: str, folder: Path) -> tuple[Path, int]:
        """Every hit (not only the page shown) to a new CSV or JSON file in `folder`."""
        from imrsearch.render.machine import write_csv, write_json

        facets = tuple(FACETS) if fmt == "json" else ()
        with self._lock:
            result = self._open().search(text, limit=None, facets=facets)
        path, handle = _fresh_file(folder, fmt)
        with handle as out:
            if fmt == "csv":
                write_csv(result.hits, out)
            else:
                write_json(result, out)
        return path, result.total


def _fresh_file(folder: Path, fmt: str) -> tuple[Path, TextIO]:
    """A new export file, created exclusively: never an existing file, never through a link
    planted under the name (O_EXCL refuses both, so the next free name is taken)."""
    stem = f"imrsearch-results-{datetime.now():%Y%m%d-%H%M%S}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    for n in range(1, 1000):
        path = folder / (f"{stem}.{fmt}" if n == 1 else f"{stem}-{n}.{fmt}")
        try:
            fd = os.open(path, flags, 0o644)
        except FileExistsError:
            continue
        return path, os.fdopen(fd, "w", newline="", encoding="utf-8")
    raise FileExistsError(f"no free file name for {stem}.{fmt} in {folder}")
