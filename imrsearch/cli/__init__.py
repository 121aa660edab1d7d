"""The `imrsearch` command: thin typer commands that call `api` and hand results to a renderer.

Exit status as grep and ripgrep: 0 matches, 1 no match, 2 error. Errors go to stderr with a hint,
never as a traceback. Heavy modules (Whoosh, rich renderers, Textual) load inside the commands,
and typer itself only when the command line is not a plain query (see `cli.quick`).
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from imrsearch.errors import ImrError

__all__ = ["QUERY_HELP", "app", "main", "run"]


def main() -> None:
    """Typer handles usage errors (exit 2) and Ctrl-C (exit 130); a broken pipe is handled
    where output is written (`pipe_closes_quietly`); our own errors end here."""
    from imrsearch.cli.output import report_error
    from imrsearch.cli.quick import plain_query

    try:
        arguments = plain_query(sys.argv[1:])
        if arguments is not None:
            from imrsearch.cli.quick import run_query

            sys.exit(run_query(**arguments))
        _typer_app()(prog_name="imrsearch")
    except ImrError as error:
        report_error(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)  # as typer does


def run() -> None:
    """The program (the console script, `python -m imrsearch`): `main`, and a plain query ends
    without the interpreter's teardown, which frees every object of every module one by one:
    15 ms, an eighth of the command, for memory the process is about to give back whole.
    Nothing is lost: the searcher and any file written are closed by then, standard output and
    error are flushed here, and the exit handlers run as they would. (`main` itself returns to
    its caller, as the tests call it.)"""
    from imrsearch.cli.quick import plain_query

    try:
        main()
    except SystemExit as done:
        if plain_query(sys.argv[1:]) is None or not isinstance(done.code, int | None):
            raise
        _leave(done.code or 0)


def _leave(code: int) -> NoReturn:
    import atexit
    import os

    from imrsearch.cli.output import pipe_closes_quietly

    with pipe_closes_quietly(code):
        sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _typer_app() -> Any:
    """The typer app with every command registered (importing their modules does it)."""
    from imrsearch.cli import index, research, saved, search, serve  # noqa: F401
    from imrsearch.cli.common import app

    return app


def __getattr__(name: str) -> Any:
    """`app` and `QUERY_HELP` load typer on first use, not on import."""
    if name == "app":
        return _typer_app()
    if name == "QUERY_HELP":
        from imrsearch.cli.search import QUERY_HELP

        return QUERY_HELP
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
