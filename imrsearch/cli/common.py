"""What every `imrsearch` command shares: the typer apps, the options, the consoles, the
broken-pipe rule and the error report. Commands live in `cli.search` and `cli.index`."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from imrsearch.errors import EXIT_MATCH, ImrError, QueryError

app = typer.Typer(
    name="imrsearch",
    help="Fielded full-text search over California IMR final determination letters.",
    epilog=(
        "Examples: imrsearch query 'outcome:upheld drug:valium \"no provision to modify\"' · "
        "imrsearch index build ~/imr-letters · imrsearch tui · "
        "imrsearch query --help lists the query fields."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
index_app = typer.Typer(help="Build, update and inspect the index.", no_args_is_help=True)
app.add_typer(index_app, name="index")

IndexOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
    typer.Option(
        "--index",
        "-i",
        help="Index folder (default: $IMRSEARCH_INDEX, else ./index).",
        show_default=False,
    ),
]

WorkersOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(min=1, help="Parser processes (default: one per core)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


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


def writes_output(command: Callable[..., None]) -> Callable[..., None]:
    """A command whose output may go to a pipe that closes early: exit 0 quietly then."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        with pipe_closes_quietly():
            command(*args, **kwargs)

    return run


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
        raise typer.Exit(code) from None


FollowOption = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option(
        "--follow-symlinks/--no-follow-symlinks",
        help="Follow symlinks that lead outside the archive (default: skip and report them;"
        " an update does what the build did).",
        show_default=False,
    ),
]


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
