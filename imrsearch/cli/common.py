"""What every `imrsearch` command shares: the typer apps and the options; the consoles, the
broken-pipe rule and the error report come from `cli.output` (typer-free). Commands live in
`cli.search` and `cli.index`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from imrsearch.cli.output import (  # noqa: F401 - the commands import them from here
    announce,
    pipe_closes_quietly,
    print_plain,
    report_error,
    stderr,
    stdout,
)

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


def writes_output(command: Callable[..., None]) -> Callable[..., None]:
    """A command whose output may go to a pipe that closes early: exit 0 quietly then."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        with pipe_closes_quietly():
            command(*args, **kwargs)

    return run


FollowOption = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option(
        "--follow-symlinks/--no-follow-symlinks",
        help="Follow symlinks that lead outside the archive (default: skip and report them;"
        " an update does what the build did).",
        show_default=False,
    ),
]
