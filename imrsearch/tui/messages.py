"""Every message the TUI passes upwards, in one place.

Workers never touch widgets: they post one of these and a handler on the app updates the screen.
Widgets say what the user did with these too, and the app decides what happens next.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from imrsearch.errors import ImrError
from imrsearch.model import Hit, Letter, SavedSearch, SearchResult, Similar, Trend


@dataclass
class SearchDone(Message):
    """A search worker finished; `serial` tells a stale answer from the newest one."""

    serial: int
    result: SearchResult


@dataclass
class SearchFailed(Message):
    """A search worker met a malformed query or an unusable index."""

    serial: int
    error: ImrError


@dataclass
class LetterLoaded(Message):
    """The letter behind a hit was read from the index, ready for the preview."""

    hit: Hit
    letter: Letter


@dataclass
class Exported(Message):
    """An export worker wrote `rows` decisions to `path`."""

    path: Path
    rows: int


@dataclass
class WorkFailed(Message):
    """A letter read or an export went wrong; the app says so and carries on."""

    what: str
    error: Exception


@dataclass
class HitHighlighted(Message):
    """The cursor in the results list moved onto a hit."""

    hit: Hit


@dataclass
class HitChosen(Message):
    """The user pressed Enter on a hit: read its letter."""

    hit: Hit


@dataclass
class FacetChosen(Message):
    """A facet value was chosen: narrow the query to it, or widen it again if `selected` (the
    query already requires it)."""

    field: str
    value: str
    selected: bool


@dataclass
class ResearchDone(Message):
    """A trend or similar-decisions worker finished: show `found` in its screen."""

    found: Trend | Similar


@dataclass
class SavedSearchKept(Message):
    """The query was saved under a name (the save prompt closes with it)."""

    search: SavedSearch


@dataclass
class SavedListed(Message):
    """The index's saved searches were read: show them in the picker."""

    searches: list[SavedSearch]
