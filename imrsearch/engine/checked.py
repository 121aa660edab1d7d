"""A `Searcher` whose Whoosh failures on a damaged index end in a clear error.

Opening checks only sizes and the TOC's checksum (see `integrity`), so a segment changed in
place, same size, gets past it and Whoosh fails somewhere inside (a struct, zlib or pickle
error). When anything but an `ImrError` escapes, the generation is checked in full: if its
files are not the ones published, the error says so and how to rebuild; if they are, the
failure is not the index's and is raised as it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from imrsearch.engine import integrity
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError
from imrsearch.model import Highlight, Hit, Letter, SearchResult

T = TypeVar("T")


class CheckedSearcher(Searcher):
    def __init__(self, store: IndexStore, workers: int = 0, fork: bool = False) -> None:
        self._store = store
        with self._explained():
            super().__init__(store, workers=workers, fork=fork)

    def refresh(self) -> None:
        with self._explained():
            super().refresh()

    def search(self, *args: Any, **kwargs: Any) -> SearchResult:
        with self._explained():
            return super().search(*args, **kwargs)

    def iter_hits(self, *args: Any, **kwargs: Any) -> Iterator[Hit]:
        with self._explained():
            yield from super().iter_hits(*args, **kwargs)

    def letter(self, *args: Any, **kwargs: Any) -> Letter:
        with self._explained():
            return super().letter(*args, **kwargs)

    def highlight(self, *args: Any, **kwargs: Any) -> Highlight:
        with self._explained():
            return super().highlight(*args, **kwargs)

    def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`work(self, ...)` (a research tool of the engine), its failures explained alike."""
        with self._explained():
            return work(self, *args, **kwargs)

    @contextlib.contextmanager
    def _explained(self) -> Iterator[None]:
        try:
            yield
        except ImrError:
            raise
        except Exception as exc:
            generation = getattr(self, "generation", None)
            if generation is not None:
                problems = integrity.check(generation, full=True).problems
                if problems:
                    raise self._store.damaged(problems) from exc
            raise
