"""The JSON API: the shapes `imrsearch query --json` and `show --json` write, by HTTP; and the
streamed exports of a whole result set, as CSV and as that JSON."""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from imrsearch import api
from imrsearch.errors import ImrError
from imrsearch.model import SortOrder
from imrsearch.render.machine import dumps, hit_dict, result_dict, write_csv
from imrsearch.web import params
from imrsearch.web.errors import NoSuchLetter, SafeJSON
from imrsearch.web.openapi import description

SORTS = tuple(s.value for s in SortOrder)
BATCH = 500  # hits made per step of an export's stream


def pool(request: Request):
    return request.app.state.pool


async def search(request: Request) -> Response:
    query = params.text(request, "q", required=True)
    limit = params.number(request, "limit", 20, 0, params.MAX_LIMIT)
    offset = params.number(request, "offset", 0, 0, params.MAX_WINDOW)
    params.window(offset, limit)
    sort = params.text(request, "sort", "relevance")
    facets = params.facets(request)
    facet_limit = params.number(request, "facet_limit", 10, 1, 100)
    async with pool(request).searcher() as opened:
        result = await pool(request).run(
            lambda: opened.search(
                query, limit=offset + limit, sort=sort, facets=facets, facet_limit=facet_limit
            )
        )
    result.hits = result.hits[offset:]
    return SafeJSON({**result_dict(result), "offset": offset, "limit": limit, "sort": sort})


async def letter(request: Request) -> Response:
    key = request.path_params["case"]
    async with pool(request).searcher() as opened:
        found = await pool(request).run(lambda: find_letter(opened, key))
    return SafeJSON(found.to_dict(include_text=True))


def find_letter(opened: api.OpenIndex, key: str):
    """The letter under `key`; not found (or several found) is a 404 that says which."""
    try:
        return opened.letter(key)
    except ImrError as error:
        if type(error) is not ImrError:  # the index's own trouble keeps its status
            raise
        raise NoSuchLetter(error.message, error.hint) from None


def fields_dict() -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": f.name,
                "aliases": list(f.aliases),
                "kind": f.kind,
                "description": f.description,
                "example": f.example,
                "values": list(f.values),
                "facet": f.facet or None,
                "overlap": f.overlap,
            }
            for f in api.QUERY_FIELDS
        ],
        "facets": list(api.FACETS),
        "sorts": list(SORTS),
    }


async def fields(request: Request) -> Response:
    return SafeJSON(fields_dict())


async def openapi(request: Request) -> Response:
    return SafeJSON(description())


def _export_params(request: Request) -> tuple[str, str]:
    query = params.text(request, "q", required=True)
    sort = params.text(request, "sort", "relevance")
    if sort not in SORTS:
        raise ImrError(f"unknown sort '{sort}'", hint="use relevance or date")
    return query, sort


async def _checked(request: Request, query: str, sort: str) -> None:
    """Parse and run the query once before the stream starts: a bad query is a 400 with its
    message, not a stream that breaks after its status line."""
    async with pool(request).searcher() as opened:
        await pool(request).run(lambda: opened.search(query, limit=0, sort=sort))


async def export_csv(request: Request) -> Response:
    query, sort = _export_params(request)
    await _checked(request, query, sort)

    def rows(opened: api.OpenIndex) -> Iterator[str]:
        hits = opened.iter_hits(query, sort=sort)
        yield _csv(list(islice(hits, BATCH)))  # the header, with the first rows if any
        while batch := list(islice(hits, BATCH)):
            yield _csv(batch).split("\r\n", 1)[1]

    return StreamingResponse(
        pool(request).stream(rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="imrsearch.csv"'},
    )


async def export_json(request: Request) -> Response:
    query, sort = _export_params(request)
    await _checked(request, query, sort)

    def pieces(opened: api.OpenIndex) -> Iterator[str]:
        counted = opened.search(query, limit=0, sort=sort)
        head = {k: v for k, v in result_dict(counted).items() if k not in ("hits", "facets")}
        yield dumps(head)[:-1] + ', "hits": ['
        by_date = sort == SortOrder.DATE.value
        hits = opened.iter_hits(query, sort=sort)
        separator = ""
        while batch := list(islice(hits, BATCH)):
            yield separator + ", ".join(dumps(hit_dict(h, by_date)) for h in batch)
            separator = ", "
        yield '], "facets": {}}\n'

    return StreamingResponse(
        pool(request).stream(pieces),
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="imrsearch.json"'},
    )


def _csv(hits: list) -> str:
    out = io.StringIO()
    write_csv(hits, out)
    return out.getvalue()


def routes() -> list[Route]:
    return [
        Route("/api/search", search),
        Route("/api/letters/{case:path}", letter),
        Route("/api/fields", fields),
        Route("/api/openapi.json", openapi),
        Route("/export.csv", export_csv),
        Route("/export.json", export_json),
    ]
