"""Query-string parameters, read and checked once for the pages and the API: a bad value is a
400 that names the parameter, never a 500."""

from __future__ import annotations

from starlette.requests import Request

from imrsearch import api
from imrsearch.errors import ImrError

MAX_LIMIT = 1000  # hits in one answer; exports have no limit
MAX_WINDOW = 10_000  # offset + limit: deeper pages cost a hit built per hit skipped
PAGE_SIZE = 20


def text(request: Request, name: str, default: str = "", required: bool = False) -> str:
    value = request.query_params.get(name)
    if value is None or (required and not value.strip()):
        if required:
            raise ImrError(f"the parameter '{name}' is required", hint=f"add ?{name}=...")
        return default
    if "\x00" in value:
        raise ImrError(f"the parameter '{name}' holds a NUL character")
    return value


def number(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImrError(f"the parameter '{name}' must be a whole number, not '{raw}'") from None
    if not low <= value <= high:
        raise ImrError(f"the parameter '{name}' must be between {low} and {high}, not {value}")
    return value


def facets(request: Request) -> tuple[str, ...]:
    """`facet=drug&facet=year` or `facet=drug,year`; each checked against the registry."""
    names = [name for value in request.query_params.getlist("facet") for name in value.split(",")]
    for name in names:
        if name not in api.FACETS:
            raise ImrError(f"unknown facet '{name}'", hint="facets: " + ", ".join(api.FACETS))
    return tuple(dict.fromkeys(names))


def window(offset: int, limit: int) -> None:
    if offset + limit > MAX_WINDOW:
        raise ImrError(
            f"offset + limit must be at most {MAX_WINDOW}",
            hint="the export links (/export.csv, /export.json) give every hit",
        )
