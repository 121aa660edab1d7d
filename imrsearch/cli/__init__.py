"""The `imrsearch` command: thin typer commands that call `api` and hand results to a renderer.

Exit status as grep and ripgrep: 0 matches, 1 no match, 2 error. Errors go to stderr with a hint,
never as a traceback. Heavy modules (Whoosh, rich renderers, Textual) load inside the commands.
"""

from __future__ import annotations

import sys

from imrsearch.cli import index, research, saved, search, serve  # noqa: F401 - registers the commands
from imrsearch.cli.common import app, report_error
from imrsearch.cli.search import QUERY_HELP
from imrsearch.errors import ImrError

__all__ = ["QUERY_HELP", "app", "main"]


def main() -> None:
    """Typer handles usage errors (exit 2) and Ctrl-C (exit 130); a broken pipe is handled
    where output is written (`_pipe_closes_quietly`); our own errors end here."""
    try:
        app(prog_name="imrsearch")
    except ImrError as error:
        report_error(error)
        sys.exit(error.exit_code)
