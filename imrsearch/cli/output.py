"""What every command writes with, without typer: the consoles, plain messages, the broken-pipe
rule and the error report. A plain `imrsearch query` runs on these alone (see `cli.quick`)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from imrsearch.errors import EXIT_MATCH, ImrError, QueryError


def stdout():
    from imrsearch.render.console import PipedConsole

    return PipedConsole(highlight=False, soft_wrap=False)


def announce(message: str) -> None:
    print_plain(stderr(), message)


def print_plain(console, message: str, style: str = "") -> None:
    """A message that may quote letter text or paths: never markup, never a control code."""
    from rich.text import Text

    from imrsearch.render.terminal import for_terminal

    console.print(Text(for_terminal(message), style=style), soft_wrap=True)


def stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def pipe_closes_quietly(code: int = EXIT_MATCH) -> Iterator[None]:
    """The reader went away (`| head`): stop writing and exit on the match state, as ripgrep
    does. Whoosh-free commands would otherwise end in click's catch-all with exit 1, "no match".
    A CSV export that breaks its pipe has matched: its header and first rows were written."""
    try:
        yield
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(code) from None


def report_error(error: ImrError) -> None:
    """The message, the query with a caret under the problem, and the hint; all of them may
    quote a path or letter text, so none is markup and each goes through the sanitiser."""
    from rich.text import Text

    from imrsearch.render.terminal import for_terminal

    console = stderr()
    console.print(Text("error: ", style="bold red") + Text(for_terminal(error.message)))
    if isinstance(error, QueryError) and error.position is not None:
        shown = for_terminal(error.query, single_line=True)
        caret = len(for_terminal(error.query[: error.position], single_line=True))
        console.print(Text(f"  {shown}"), soft_wrap=True)
        console.print(Text(" " * (caret + 2) + "^", style="bold red"))
    if error.hint:
        console.print(Text("hint: ", style="dim") + Text(for_terminal(error.hint)))
