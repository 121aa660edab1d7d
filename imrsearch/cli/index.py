"""The index commands: build, update, info, verify, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from imrsearch import api
from imrsearch.cli.common import (
    FollowOption,
    IndexOption,
    JsonOption,
    WorkersOption,
    index_app,
    print_plain,
    stderr,
    stdout,
    writes_output,
)
from imrsearch.errors import EXIT_ERROR, EXIT_MATCH
from imrsearch.model import BuildReport


@index_app.command("build")
def index_build(
    archive: Annotated[Path, typer.Argument(help="Folder of letters (.txt, .pdf; nested).")],
    index: IndexOption = None,
    workers: WorkersOption = None,
    follow_symlinks: FollowOption = None,
    as_json: JsonOption = False,
    shards: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="'year': one index per decision year, for very large archives."),
    ] = None,
) -> None:
    """Build a new index from an archive folder; the old one answers until the new is done.

    \b
    Examples:
      imrsearch index build ~/imr-letters
      imrsearch index build ~/imr-letters --index ~/indexes/imr
      imrsearch index build ~/imr-letters --shards year
    """
    _run_build(
        lambda progress: api.build(
            archive, index, progress, workers, bool(follow_symlinks), shards
        ),
        "Indexing",
        as_json,
    )


@index_app.command("update")
def index_update(
    archive: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(help="Folder of letters (default: the one the index was built from)."),
    ] = None,
    index: IndexOption = None,
    workers: WorkersOption = None,
    follow_symlinks: FollowOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-read only new and changed files; drop letters whose files are gone.

    \b
    Examples:
      imrsearch index update
      imrsearch index update ~/imr-letters
    """
    _run_build(
        lambda progress: api.update(archive, index, progress, workers, follow_symlinks),
        "Updating",
        as_json,
    )


def _run_build(run: Callable[[Any], BuildReport], label: str, as_json: bool) -> None:
    from imrsearch.render.console import print_report, progress_bar

    bar, advance = progress_bar(stderr(), label)
    try:
        with bar:
            report = run(advance)
    except KeyboardInterrupt:
        stderr().print("interrupted: the index is as it was before this command")
        raise typer.Exit(130) from None
    if as_json:
        from dataclasses import asdict

        from imrsearch.render.machine import dumps

        print(dumps(asdict(report)))
    else:
        print_report(stdout(), report)


@index_app.command("info")
@writes_output
def index_info(
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where the index is, what it was built from, when, and what it holds."""
    info = api.info(index)
    if as_json:
        from dataclasses import asdict

        from imrsearch.render.machine import dumps

        print(dumps(asdict(info)))
        return
    from imrsearch.model import BuildReport, FileError
    from imrsearch.render.console import print_report

    report = BuildReport(
        **{
            **info.report,
            "failures": [FileError(**f) for f in info.report["failures"]],
            "text_only": [FileError(**f) for f in info.report.get("text_only", [])],
            "duplicates": [FileError(**f) for f in info.report.get("duplicates", [])],
        }
    )
    report.size_bytes = info.size_bytes
    console = stdout()
    print_plain(console, f"Location   {info.location} ({info.generation})")
    print_plain(console, f"Built      {info.built_at}   updated {info.updated_at}")
    print_report(console, report)


@index_app.command("verify")
@writes_output
def index_verify(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """Check every file of the index against the checksums recorded when it was built.

    Exit 0 if all match, 2 if a file is damaged, missing, or writable by other users.
    """
    found = api.verify(index)
    bad = [f"damaged: {p}" for p in found.problems] + [f"unsafe: {p}" for p in found.unsafe]
    if as_json:
        from dataclasses import asdict

        from imrsearch.render.machine import dumps

        print(dumps(asdict(found)))
    elif bad:
        for problem in bad:
            print_plain(stderr(), f"error: {problem}", style="bold red")
        where = f" --index {index}" if index else ""
        print_plain(stderr(), f"hint: rebuild it with: imrsearch index build ARCHIVE_DIR{where}")
    else:
        print_plain(
            stdout(),
            f"ok: {found.location} ({found.generation}), {found.files} files, "
            f"{found.bytes:,} bytes checked in {found.seconds:.2f} s",
        )
    raise typer.Exit(EXIT_ERROR if bad else EXIT_MATCH)


@index_app.command("errors")
@writes_output
def index_errors(
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """The files the last build or update could not index, with the reason for each."""
    failures = api.errors(index)
    if as_json:
        from imrsearch.render.machine import dumps

        for failure in failures:
            print(dumps({"path": failure.path, "reason": failure.reason}))
        return
    from imrsearch.render.console import print_errors

    print_errors(stdout(), failures)
