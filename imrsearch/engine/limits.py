"""When a search must stop: out of time, or cancelled by the one who asked for it.

A search checks its `Budget` at every match it collects and at every read of the index (see
`mapped.Checkpoint`), so it stops within a read or a match of the moment it must, whatever
Whoosh is doing: expanding a fuzzy term, walking postings, checking a phrase's positions
between two matches, reading facet columns. It then fails with a clear error: a search never
answers with part of its matches, because totals get quoted.
"""

from __future__ import annotations

import time
from typing import Protocol

from imrsearch.errors import ImrError, SearchTimeout


class SearchStopped(ImrError):
    """The search stopped before it finished; nothing of it is shown."""


class SearchCancelled(SearchStopped):
    pass


class SearchTimedOut(SearchStopped, SearchTimeout):
    """Out of time: a server answers it as 503, like any search past its limit."""


class Cancel(Protocol):
    """What cancels a search: a `threading.Event`, or a search worker's watch (`parallel`)."""

    def is_set(self) -> bool: ...


class Budget:
    """A search's deadline (`seconds` from now) and the event that cancels it."""

    def __init__(self, seconds: float, cancel: Cancel | None = None) -> None:
        self.seconds = seconds
        self.deadline = time.perf_counter() + seconds
        self.cancel = cancel

    def check(self) -> None:
        """Raise `SearchCancelled` or `SearchTimedOut` if the search must stop."""
        if self.cancel is not None and self.cancel.is_set():
            raise SearchCancelled("the search was cancelled")
        if time.perf_counter() > self.deadline:
            raise SearchTimedOut(
                f"the search was stopped after {self.seconds:g} s, before it had finished,"
                " so no results are shown",
                hint="narrow the query: add a field such as drug: or outcome:, or use fewer"
                " wildcards, fuzzy terms and common words",
            )
