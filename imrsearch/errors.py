"""Error types and the exit codes they map to (ripgrep's convention: 0 match, 1 none, 2 error)."""

from __future__ import annotations

EXIT_MATCH = 0
EXIT_NO_MATCH = 1
EXIT_ERROR = 2


class ImrError(Exception):
    """An error the user can act on: printed without a traceback, with an optional hint."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BadFile(ImrError):
    """A file in the archive that could not be read as a letter."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class QueryError(ImrError):
    """A malformed query; `position` is the 0-based character offset of the problem, if known."""

    def __init__(
        self, message: str, query: str, position: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.query = query
        self.position = position


class SearchTimeout(ImrError):
    """A search that ran past its time limit: stopped, so no partial answer is shown."""


class IndexMissing(ImrError):
    """No usable index at the location asked for."""


class IndexBusy(ImrError):
    """Another build or update holds the index's write lock."""


class IndexDamaged(ImrError):
    """The live index's files are not the ones recorded when it was published."""


class IndexUnsafe(ImrError):
    """An index folder others can write to: Whoosh reads pickles from it, which can run code."""
