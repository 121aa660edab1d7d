"""The HTML pages: search (query help, errors with a caret, hits, facets that narrow the query,
paging, sort, export links) and a letter (sectioned, matches marked and numbered, a citation).
Every page is a GET whose URL reproduces it."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from imrsearch import api
from imrsearch.errors import ImrError, QueryError
from imrsearch.model import Facet, Highlight, SearchResult
from imrsearch.web import params, view
from imrsearch.web.jsonapi import SORTS, find_letter, pool
from imrsearch.web.templates import render

DESIGN_CARD = 'outcome:upheld drug:valium "no provision to modify"'
TITLES = {f.name: f.facet for f in api.QUERY_FIELDS}
SORT_LABELS = {"relevance": "Relevance", "date": "Newest first"}


@dataclass
class FacetLink:
    value: str
    count: int
    rate: str  # the uphold rate, as a percentage
    selected: bool
    href: str | None  # the narrowed (or, when selected, widened) search; None if not expressible


def facet_links(facet: Facet, query: str, sort: str) -> list[FacetLink]:
    links = []
    for value in facet.values:
        try:
            changed = (api.widen if value.selected else api.narrow)(query, facet.name, value.value)
            href: str | None = view.url("/", q=changed, sort=sort)
        except QueryError:
            href = None
        rate = f"{value.uphold_rate:.0%}"
        links.append(FacetLink(value.value, value.count, rate, value.selected, href))
    return links


async def search(request: Request) -> Response:
    query = params.text(request, "q")
    sort = params.text(request, "sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    page = params.number(request, "page", 1, 1, params.MAX_WINDOW // params.PAGE_SIZE)
    context: dict = {
        "query": query,
        "sort": sort,
        "sorts": SORT_LABELS,
        "page": page,
        "fields": api.QUERY_FIELDS,
        "design_card": DESIGN_CARD,
        "result": None,
        "error": None,
        "caret": None,
    }
    status = 200
    if query.strip():
        try:
            result = await _search(request, query, sort, page)
        except QueryError as error:
            status = 400
            context["error"] = error
            if error.position is not None:
                context["caret"] = (error.query[: error.position], error.query[error.position :])
        else:
            context.update(_results(result, query, sort, page))
    return render(request, "search.html", context, status)


async def _search(request: Request, query: str, sort: str, page: int) -> SearchResult:
    async with pool(request).searcher() as opened:
        result = await pool(request).run(
            lambda: opened.search(
                query, limit=page * params.PAGE_SIZE, sort=sort, facets=tuple(api.FACETS)
            )
        )
    result.hits = result.hits[(page - 1) * params.PAGE_SIZE :]
    return result


def _results(result: SearchResult, query: str, sort: str, page: int) -> dict:
    last = max(1, -(-result.total // params.PAGE_SIZE))
    limit = params.MAX_WINDOW // params.PAGE_SIZE
    return {
        "result": result,
        "hits": [(hit, view.pieces(hit.snippet)) for hit in result.hits],
        "facets": [
            (facet, TITLES[facet.name], facet_links(facet, query, sort))
            for facet in result.facets
            if facet.values
        ],
        "first": (page - 1) * params.PAGE_SIZE + 1,
        "previous": view.url("/", q=query, sort=sort, page=page - 1) if page > 1 else None,
        "next": view.url("/", q=query, sort=sort, page=page + 1)
        if page < min(last, limit)
        else None,
        "sorted": {name: view.url("/", q=query, sort=name) for name in SORT_LABELS},
        "csv": view.url("/export.csv", q=query, sort=sort),
        "json": view.url("/export.json", q=query, sort=sort),
    }


async def letter(request: Request) -> Response:
    key = request.path_params["case"]
    query = params.text(request, "q")
    async with pool(request).searcher() as opened:
        found = await pool(request).run(lambda: find_letter(opened, key))
        try:
            highlight = await pool(request).run(lambda: opened.highlight(query)) if query else None
        except ImrError:
            highlight = None  # the letter is still worth reading; the search page says why
    page = view.letter_page(found, highlight or Highlight())
    return render(
        request,
        "letter.html",
        {"letter": found, "page": page, "query": query, "back": view.url("/", q=query)},
    )


def routes() -> list[Route]:
    return [Route("/", search), Route("/letters/{case:path}", letter)]
