"""Errors as the API answers them (JSON: message, position, hint; the HTTP status to match) and
as a page shows them (the query with a caret under the problem)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from imrsearch.errors import (
    ImrError,
    IndexDamaged,
    IndexMissing,
    IndexUnsafe,
    QueryError,
    SearchTimeout,
)
from imrsearch.render.machine import dumps
from imrsearch.web.pool import Busy


class NoSuchLetter(ImrError):
    """No letter, or more than one, under the name asked for."""


def status_for(error: Exception) -> int:
    """A mistake in the request is 400, a letter not found 404; a search out of time, a busy
    server or an index being rebuilt or damaged is 503 (worth a retry)."""
    if isinstance(error, Busy | SearchTimeout | IndexMissing | IndexDamaged | IndexUnsafe):
        return 503
    if isinstance(error, NoSuchLetter):
        return 404
    return 400


def error_dict(error: Exception) -> dict[str, Any]:
    return {
        "error": {
            "message": getattr(error, "message", str(error)),
            "position": getattr(error, "position", None),
            "hint": getattr(error, "hint", None),
            "query": getattr(error, "query", None),
        }
    }


class SafeJSON(JSONResponse):
    """JSON written as `--json` writes it: exact, with nothing a terminal would act on."""

    def render(self, content: Any) -> bytes:
        return dumps(content).encode()


def as_json(error: Exception, status: int | None = None) -> Response:
    headers = {"retry-after": "5"} if status_for(error) == 503 else None
    return SafeJSON(error_dict(error), status or status_for(error), headers=headers)


def as_page(request: Request, error: Exception, status: int | None = None) -> Response:
    from imrsearch.web.templates import render

    caret = None
    if isinstance(error, QueryError) and error.position is not None:
        caret = (error.query[: error.position], error.query[error.position :])
    return render(
        request,
        "error.html",
        {"error": error_dict(error)["error"], "caret": caret},
        status or status_for(error),
    )
