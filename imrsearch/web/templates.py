"""Jinja2 with autoescape on for every template: whatever came from a letter, a file name or a
query is text in the page, never markup (there is no `|safe` in the templates)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from imrsearch.web import view

FOLDER = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(FOLDER),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(url=view.url, letter_url=view.letter_url, letter_key=view.letter_key)
    return env


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    page = environment().get_template(name).render(request=request, **context)
    return HTMLResponse(page, status_code=status)
