"""`imrsearch serve`: the index as web pages and a JSON API (see `imrsearch.web`)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from imrsearch import api
from imrsearch.cli.common import IndexOption, announce, app
from imrsearch.errors import ImrError

LOCAL_NAMES = ("localhost",)


def is_local(host: str) -> bool:
    """Only the loopback interface: anything else may be reached from another machine."""
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_token(token: str | None, token_file: Path | None) -> str | None:
    if token is not None and token_file is not None:
        raise ImrError("choose one of --token and --token-file")
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ImrError(f"cannot read the token file {token_file}: {error}") from None
    if token is not None and len(token) < 16:
        raise ImrError(
            "the token is too short",
            hint="use 16 characters or more, e.g. from:"
            " python -c 'import secrets; print(secrets.token_urlsafe())'",
        )
    return token


@app.command()
def serve(
    index: IndexOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8765,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    token: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Require this token of every request (needed off localhost)."),
    ] = None,
    token_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Read the token from this file (keeps it out of the process list)."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Seconds a search may run before it fails.")
    ] = 10.0,
    searchers: Annotated[
        int, typer.Option(min=1, max=64, help="Concurrent searches per worker process.")
    ] = 2,
) -> None:
    """Serve the index read-only as web pages and a JSON API (/api/openapi.json).

    \b
    Examples:
      imrsearch serve --index ~/imr-index
      imrsearch serve --host 0.0.0.0 --workers 4 --token-file ~/.imrsearch-token
    """
    secret = read_token(token, token_file)
    if not is_local(host) and secret is None:
        raise ImrError(
            f"serving on {host} lets other machines in: a token is required",
            hint="add --token-file FILE (or --token T), or serve on 127.0.0.1",
        )
    api.ensure_index(index, announce)
    import uvicorn

    from imrsearch.web.app import CONFIG_ENV, Settings

    settings = Settings(
        index=str(api.index_location(index).resolve()),
        token=secret,
        time_limit=time_limit,
        searchers=searchers,
    )
    os.environ[CONFIG_ENV] = settings.to_env()  # the worker processes build the app from it
    shown = f"[{host}]" if ":" in host else host
    announce(f"Serving {settings.index} at http://{shown}:{port}/ (Ctrl-C stops)")
    uvicorn.run(
        "imrsearch.web.app:from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        limit_concurrency=64 * searchers,
        log_level="warning",
        server_header=False,
    )
