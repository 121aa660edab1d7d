"""Every message the TUI passes upwards, in one place.

Workers never touch widgets: they post one of these and a handler on the app updates the screen.
Widgets say what the user did with these too, and the app decides what happens next.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.message import Message

from imrsearch.errors import ImrError
from imrsearch.model import Hit, Letter, SearchResult


class SearchDone(Message):
    """A search worker finished; `serial` tells a stale answer from the newest one."""

    def __init__(self, serial: int, result: SearchResult, pattern: re.Pattern | None) -> None:
        super().__init__()
        self.serial = serial
        self.result = result
        self.pattern = pattern


class SearchFailed(Message):
    """A search worker met a malformed query or an unusable index."""

    def __init__(self, serial: int, error: ImrError) -> None:
        super().__init__()
        self.serial = serial
        self.error = error


class LetterLoaded(Message):
    """The letter behind a hit was read from the index, ready for the preview."""

    def __init__(self, hit: Hit, letter: Letter) -> None:
        super().__init__()
        self.hit = hit
        self.letter = letter


class Exported(Message):
    """An export worker wrote `rows` decisions to `path`."""

    def __init__(self, path: Path, rows: int) -> None:
        super().__init__()
        self.path = path
        self.rows = rows


class WorkFailed(Message):
    """A letter read or an export went wrong; the app says so and carries on."""

    def __init__(self, what: str, error: Exception) -> None:
        super().__init__()
        self.what = what
        self.error = error


class HitHighlighted(Message):
    """The cursor in the results list moved onto a hit."""

    def __init__(self, hit: Hit) -> None:
        super().__init__()
        self.hit = hit


class HitChosen(Message):
    """The user pressed Enter on a hit: read its letter."""

    def __init__(self, hit: Hit) -> None:
        super().__init__()
        self.hit = hit


class Narrow(Message):
    """A facet value was chosen: add `clause` (e.g. `outcome:upheld`) to the query."""

    def __init__(self, clause: str) -> None:
        super().__init__()
        self.clause = clause
