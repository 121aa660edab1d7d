"""The API's OpenAPI 3.0 description, written once here (the tests fuzz the server against it)."""

from __future__ import annotations

from typing import Any

from imrsearch import api
from imrsearch.web.params import MAX_LIMIT, MAX_WINDOW

_STR = {"type": "string"}
_FACET = "(" + "|".join(api.FACETS) + ")"
FACET_LIST = f"^{_FACET}(,{_FACET})*$"
_NSTR = {"type": "string", "nullable": True}
_DAY = {"type": "string", "format": "date", "nullable": True}
_INT = {"type": "integer"}
_STRS = {"type": "array", "items": _STR}
_CITATION = {
    "type": "object",
    "required": ["source", "topic", "pages"],
    "properties": {"source": _STR, "topic": _STR, "pages": _STRS},
}


def _object(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **optional},
    }


HIT = _object(
    {
        "case_number": _NSTR,
        "path": _STR,
        "item": {"type": "integer", "nullable": True},
        "service": _STR,
        "outcome": _STR,
        "drugs": _STRS,
        "score": {"type": "number", "nullable": True},
        "snippet": _STR,
        "highlights": {"type": "array", "items": {"type": "array", "items": _INT}},
        "decision_date": _DAY,
        "guideline_sources": _STRS,
        "guidelines": {"type": "array", "items": _CITATION},
        "date_of_injury": _DAY,
        "specialties": _STRS,
        "states": _STRS,
        "age": {"type": "integer", "nullable": True},
        "sex": _NSTR,
        "citation": _STR,
    }
)
FACET = _object(
    {
        "name": _STR,
        "values": {
            "type": "array",
            "items": _object(
                {
                    "value": _STR,
                    "count": _INT,
                    "upheld": _INT,
                    "uphold_rate": {"type": "number"},
                    "selected": {"type": "boolean"},
                }
            ),
        },
        "truncated": {"type": "boolean"},
        "overlap": {"type": "boolean"},
    }
)
SEARCH = _object(
    {
        "query": _STR,
        "total": _INT,
        "whole_letters": _INT,
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": {
            "type": "object",
            "additionalProperties": {"$ref": "#/components/schemas/Facet"},
        },
        "elapsed_ms": {"type": "number"},
    },
    offset=_INT,
    limit=_INT,
    sort=_STR,
)
LETTER = _object(
    {
        "path": _STR,
        "format": _STR,
        "case_number": _NSTR,
        "decision_date": _DAY,
        "date_of_injury": _DAY,
        "reviewer": {"type": "object"},
        "patient": {"type": "object"},
        "summary": _STR,
        "decisions": {"type": "array", "items": {"type": "object"}},
        "warnings": _STRS,
        "text": _STR,
    }
)
FIELDS = _object(
    {
        "fields": {
            "type": "array",
            "items": _object(
                {
                    "name": _STR,
                    "aliases": _STRS,
                    "kind": {"type": "string", "enum": ["text", "keyword", "number", "date"]},
                    "description": _STR,
                    "example": _STR,
                    "values": _STRS,
                    "facet": _NSTR,
                    "overlap": {"type": "boolean"},
                }
            ),
        },
        "facets": _STRS,
        "sorts": _STRS,
    }
)
ERROR = _object(
    {
        "error": _object(
            {
                "message": _STR,
                "position": {"type": "integer", "nullable": True},
                "hint": _NSTR,
                "query": _NSTR,
            }
        )
    }
)


def _param(name: str, schema: dict[str, Any], said: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": said,
    }


def _errors(*codes: str) -> dict[str, Any]:
    said = {
        "400": "A malformed query or parameter: the message, the position in the query, a hint.",
        "401": "A token is required (the server was started with one).",
        "404": "No letter under that name.",
        "503": "The search ran out of time, the server is busy, or the index is unusable.",
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {code: {"description": said[code], "content": error} for code in codes}


QUERY = _param("q", {"type": "string", "minLength": 1}, "A query in the query language.", True)
SORT = _param("sort", {"type": "string", "enum": ["relevance", "date"]}, "Hit order.")


def description() -> dict[str, Any]:
    """The OpenAPI document served at /api/openapi.json."""
    ok = lambda ref: {  # noqa: E731
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "imrsearch",
            "version": "1",
            "description": "Search California IMR letters. Shapes as `imrsearch query --json`.",
        },
        "components": {
            "schemas": {
                "Hit": HIT,
                "Facet": FACET,
                "Search": SEARCH,
                "Letter": LETTER,
                "Fields": FIELDS,
                "Error": ERROR,
            },
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search decisions",
                    "parameters": [
                        QUERY,
                        _param(
                            "limit",
                            {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT},
                            "Hits to return (default 20).",
                        ),
                        _param(
                            "offset",
                            {"type": "integer", "minimum": 0, "maximum": MAX_WINDOW},
                            "Hits to skip.",
                        ),
                        SORT,
                        {
                            **_param(
                                "facet",
                                {
                                    "type": "array",
                                    "items": {"type": "string", "pattern": FACET_LIST},
                                },
                                "Count by these fields (repeated, or a comma-separated list).",
                            ),
                            "style": "form",
                            "explode": True,
                        },
                        _param(
                            "facet_limit",
                            {"type": "integer", "minimum": 1, "maximum": 100},
                            "Values per facet (default 10).",
                        ),
                    ],
                    "responses": {"200": ok("Search"), **_errors("400", "401", "503")},
                }
            },
            "/api/letters/{case}": {
                "get": {
                    "summary": "A whole letter, as `imrsearch show --json`",
                    "parameters": [
                        {
                            "name": "case",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1},
                            "description": "Case number, path as indexed, or file name.",
                        }
                    ],
                    "responses": {"200": ok("Letter"), **_errors("400", "401", "404", "503")},
                }
            },
            "/api/fields": {
                "get": {
                    "summary": "The query language's fields, facets and sorts",
                    "responses": {"200": ok("Fields"), **_errors("401")},
                }
            },
            "/export.csv": {
                "get": {
                    "summary": "Every hit as CSV (the columns of `query --csv`), streamed",
                    "parameters": [QUERY, SORT],
                    "responses": {
                        "200": {"description": "CSV", "content": {"text/csv": {"schema": _STR}}},
                        **_errors("400", "401", "503"),
                    },
                }
            },
            "/export.json": {
                "get": {
                    "summary": "Every hit as `query --json` writes it, streamed",
                    "parameters": [QUERY, SORT],
                    "responses": {"200": ok("Search"), **_errors("400", "401", "503")},
                }
            },
        },
        "security": [{}, {"token": []}],
    }
