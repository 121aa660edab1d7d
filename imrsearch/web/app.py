"""The application: routes, the token check, errors as pages or JSON, the searcher pool.

Starlette rather than FastAPI: the API's shapes are the `--json` shapes `render.machine`
already makes, so FastAPI's pydantic models would be a second declaration of them (and
pydantic a start-up cost typer was pinned to avoid); the OpenAPI description is written once in
`openapi`. `make_app` is the one factory the server, its worker processes and the tests call.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from imrsearch.errors import ImrError
from imrsearch.web import jsonapi, pages
from imrsearch.web.errors import as_json, as_page
from imrsearch.web.pool import Pool

CONFIG_ENV = "IMRSEARCH_SERVE_CONFIG"  # how `serve --workers N` hands the options to workers
TOKEN_COOKIE = "imrsearch_token"
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Settings:
    index: str
    token: str | None = None  # required of every request when set
    time_limit: float = 10.0  # seconds a search may run
    searchers: int = 2  # concurrent searches per worker process
    wait: float = 10.0  # seconds a request may wait for a free searcher

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> Settings:
        return cls(**json.loads(os.environ[CONFIG_ENV]))


def make_app(settings: Settings) -> Starlette:
    pool = Pool(Path(settings.index), settings.searchers, settings.time_limit, settings.wait)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        pool.close()

    app = Starlette(
        routes=[
            *pages.routes(),
            *jsonapi.routes(),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={ImrError: _error, 404: _not_found, 405: _not_allowed},
        lifespan=lifespan,
        middleware=[
            Middleware(BaseHTTPMiddleware, dispatch=_headers),
            *(
                [Middleware(BaseHTTPMiddleware, dispatch=_token_check(settings.token))]
                if settings.token
                else []
            ),
        ],
    )
    app.state.pool = pool
    return app


def from_env() -> Starlette:
    """The app a uvicorn worker process builds (`--workers N` imports it by name)."""
    return make_app(Settings.from_env())


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/export")


async def _error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ImrError)
    return as_json(error) if _is_api(request) else as_page(request, error)


async def _not_found(request: Request, error: Exception) -> Response:
    missing = ImrError(f"no page at {request.url.path}", hint="start from the search page: /")
    return as_json(missing, 404) if _is_api(request) else as_page(request, missing, 404)


async def _not_allowed(request: Request, error: Exception) -> Response:
    refused = ImrError(f"{request.method} is not served here", hint="the server is read-only")
    answer = as_json(refused, 405)
    answer.headers["allow"] = "GET, HEAD"
    return answer


Next = Callable[[Request], Awaitable[Response]]


def _token_check(token: str) -> Callable[[Request, Next], Awaitable[Response]]:
    """Every request carries the token: `Authorization: Bearer T`, or the cookie a visit to
    any page with `?token=T` sets (then the page is reloaded without it, so the token does not
    stay in the address bar or the history). Compared in constant time."""
    expected = token.encode()

    def matches(given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), expected)

    async def check(request: Request, call_next: Next) -> Response:
        header = request.headers.get("authorization", "")
        bearer = header[7:] if header.lower().startswith("bearer ") else None
        if matches(bearer) or matches(request.cookies.get(TOKEN_COOKIE)):
            return await call_next(request)
        given = request.query_params.get("token")
        if matches(given):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.replace(query="").path
            if rest:
                target += "?" + urlencode(rest)
            moved = RedirectResponse(target, status_code=303)
            moved.set_cookie(
                TOKEN_COOKIE, token, httponly=True, samesite="strict", secure=False, path="/"
            )
            return moved
        refused = ImrError(
            "a token is required",
            hint="send 'Authorization: Bearer TOKEN', or open any page once with ?token=TOKEN",
        )
        return as_json(refused, 401) if _is_api(request) else as_page(request, refused, 401)

    return check


async def _headers(request: Request, call_next: Next) -> Response:
    """No script, style or frame from anywhere but this server, even if markup got through."""
    response = await call_next(request)
    response.headers["content-security-policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
        " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    response.headers["x-content-type-options"] = "nosniff"
    response.headers["referrer-policy"] = "same-origin"
    return response
