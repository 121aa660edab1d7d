"""The `imrsearch` command: thin typer commands that call `api` and hand results to a renderer.

Exit status as grep and ripgrep: 0 matches, 1 no match, 2 error. Errors go to stderr with a hint,
never as a traceback. Heavy modules (Whoosh, rich renderers, Textual) load inside the commands.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from imrsearch import api
from imrsearch.errors import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, ImrError, QueryError
from imrsearch.model import BuildReport, SortOrder

TERMINAL_LIMIT = 20


def _field_rows() -> str:
    """The query fields for --help, from the registry, in aligned columns."""
    names = [f.name + (f" ({', '.join(f.aliases)})" if f.aliases else "") for f in api.QUERY_FIELDS]
    wide = max(map(len, names))
    said = max(len(f.description) for f in api.QUERY_FIELDS)
    return "\n".join(
        f"  {name:<{wide}} {field.description:<{said}} {field.example}"
        for name, field in zip(names, api.QUERY_FIELDS, strict=True)
    )


QUERY_HELP = f"""\
Search decisions with fielded, free-text queries.

Words and "quoted phrases" search the item, rationale, summary and guideline text;
AND / OR / NOT, (parentheses), "a b"~5 (proximity), modif* (wildcard), opiod~ (fuzzy),
age:[40 TO 60] and decided:>=2016-12-01 (ranges) work as in Whoosh.

\b
Fields (aliases):
{_field_rows()}

\b
Examples:
  imrsearch query 'outcome:upheld drug:valium "no provision to modify"'
  imrsearch query 'class:opioid page:80 outcome:overturned' --facet specialty,year
  imrsearch query '"not medically necessary" age:>60' --sort date --limit 5
  imrsearch query 'drug:norco decided:>=2017-01-01' --csv > norco.csv
"""

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


def _stdout():
    from imrsearch.render.console import PipedConsole

    return PipedConsole(highlight=False, soft_wrap=False)


def _announce(message: str) -> None:
    _print_plain(_stderr(), message)


def _print_plain(console, message: str, style: str = "") -> None:
    """A message that may quote letter text or paths: never markup, never a control code."""
    from rich.text import Text

    from imrsearch.render.terminal import for_terminal

    console.print(Text(for_terminal(message), style=style), soft_wrap=True)


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _writes_output(command: Callable[..., None]) -> Callable[..., None]:
    """A command whose output may go to a pipe that closes early: exit 0 quietly then."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        with _pipe_closes_quietly():
            command(*args, **kwargs)

    return run


@contextlib.contextmanager
def _pipe_closes_quietly(code: int = EXIT_MATCH) -> Iterator[None]:
    """The reader went away (`| head`): stop writing and exit on the match state, as ripgrep
    does. Whoosh-free commands would otherwise end in click's catch-all with exit 1, "no match".
    A CSV export that breaks its pipe has matched: its header and first rows were written."""
    try:
        yield
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(code) from None


@app.command(help=QUERY_HELP)
def query(
    text: Annotated[
        str, typer.Argument(metavar="QUERY", help="The query (quote it in the shell).")
    ],
    index: IndexOption = None,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--limit",
            "-n",
            min=1,
            help=f"Hits to show (default: {TERMINAL_LIMIT} on the terminal, every hit with"
            " --json and --csv).",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show every hit (no limit).")] = False,
    sort: Annotated[SortOrder, typer.Option(help="Newest first with date.")] = SortOrder.RELEVANCE,
    facet: Annotated[str, typer.Option(help=f"Count by: {','.join(api.FACETS)}.")] = "",
    facet_limit: Annotated[int, typer.Option(min=1, help="Values per facet.")] = 10,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV, one row per decision.")] = False,
    csv_formulas: Annotated[
        bool,
        typer.Option(
            "--csv-formulas",
            help="Keep CSV cells that start with = + - @ as they are (by default they get a"
            " leading ' so a spreadsheet does not run them as formulas).",
        ),
    ] = False,
) -> None:
    if as_json and as_csv:
        raise ImrError("choose one of --json and --csv")
    api.ensure_index(index, _announce)
    facets = tuple(f.strip() for f in facet.split(",") if f.strip())
    # Exports are complete unless a limit is asked for; the terminal shows a page.
    if show_all or (limit is None and (as_json or as_csv)):
        limit = None
    elif limit is None:
        limit = TERMINAL_LIMIT
    with api.open_searcher(index) as searcher:
        if as_csv:
            from imrsearch.render.machine import write_csv

            hits = searcher.iter_hits(text, sort=sort.value)
            with _pipe_closes_quietly():
                matched = write_csv(
                    hits if limit is None else islice(hits, limit),
                    sys.stdout,
                    formulas=csv_formulas,
                    terminal=sys.stdout.isatty(),
                )
        else:
            result = searcher.search(
                text, limit=limit, sort=sort.value, facets=facets, facet_limit=facet_limit
            )
            matched = result.total
            with _pipe_closes_quietly(EXIT_MATCH if matched else EXIT_NO_MATCH):
                if as_json:
                    from imrsearch.render.machine import write_json

                    write_json(result, sys.stdout)
                elif result.total:
                    from imrsearch.render.console import print_results

                    print_results(_stdout(), result)
    if matched == 0:
        if not (as_json or as_csv):
            _print_plain(_stderr(), f"No decisions match {text}.")
        raise typer.Exit(EXIT_NO_MATCH)
    raise typer.Exit(EXIT_MATCH)


@app.command()
@_writes_output
def show(
    case: Annotated[str, typer.Argument(help="Case number (CM16-0213037) or source file path.")],
    index: IndexOption = None,
    decision: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--decision", "-d", min=1, help="Show only this item (1-based)."),
    ] = None,
    query_text: Annotated[
        str, typer.Option("--query", "-q", help="Highlight this query's words.")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Show a whole letter, sectioned, with a query's words highlighted.

    \b
    Examples:
      imrsearch show CM16-0213037
      imrsearch show CM16-0213037 --decision 2 --query '"not medically necessary"'
    """
    api.ensure_index(index, _announce)
    with api.open_searcher(index) as opened:
        letter = opened.letter(case)
        highlight = opened.highlight(query_text) if query_text else None
    if decision is not None and decision > len(letter.decisions):
        raise ImrError(
            f"{letter.case_number or case} has {len(letter.decisions)} item(s), not {decision}"
        )
    if as_json:
        from imrsearch.render.machine import dumps

        data = letter.to_dict(include_text=True)
        if decision is not None:
            data["decisions"] = [d for d in data["decisions"] if d["number"] == decision]
        print(dumps(data))
        return
    from imrsearch.render.console import print_letter

    if highlight is None:
        print_letter(_stdout(), letter, decision)
    else:
        print_letter(_stdout(), letter, decision, highlight)


@app.command()
@_writes_output
def parse(
    files: Annotated[list[Path], typer.Argument(help="Letter files (.txt or .pdf).")],
    as_json: JsonOption = False,
) -> None:
    """Parse letters and show their fields, without indexing them.

    \b
    Examples:
      imrsearch parse samples/CM16-0213037.pdf
      imrsearch parse --json letters/*.pdf | jq .decisions[].outcome
    """
    from imrsearch.errors import BadFile

    failed = 0
    console = None if as_json else _stdout()
    for path in files:
        try:
            letter = api.parse_file(path)
        except BadFile as exc:
            failed += 1
            _print_plain(_stderr(), f"error: {exc.message}", style="red")
            continue
        if as_json:
            from imrsearch.render.machine import write_letters_jsonl

            write_letters_jsonl([letter], sys.stdout)
        else:
            from imrsearch.render.console import print_letter

            print_letter(console or _stdout(), letter)
    if failed:
        raise typer.Exit(EXIT_ERROR)


FollowOption = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option(
        "--follow-symlinks/--no-follow-symlinks",
        help="Follow symlinks that lead outside the archive (default: skip and report them;"
        " an update does what the build did).",
        show_default=False,
    ),
]


@index_app.command("build")
def index_build(
    archive: Annotated[Path, typer.Argument(help="Folder of letters (.txt, .pdf; nested).")],
    index: IndexOption = None,
    workers: WorkersOption = None,
    follow_symlinks: FollowOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build a new index from an archive folder; the old one answers until the new is done.

    \b
    Examples:
      imrsearch index build ~/imr-letters
      imrsearch index build ~/imr-letters --index ~/indexes/imr
    """
    _run_build(
        lambda progress: api.build(archive, index, progress, workers, bool(follow_symlinks)),
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

    bar, advance = progress_bar(_stderr(), label)
    try:
        with bar:
            report = run(advance)
    except KeyboardInterrupt:
        _stderr().print("interrupted: the index is as it was before this command")
        raise typer.Exit(130) from None
    if as_json:
        from dataclasses import asdict

        from imrsearch.render.machine import dumps

        print(dumps(asdict(report)))
    else:
        print_report(_stdout(), report)


@index_app.command("info")
@_writes_output
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
        }
    )
    report.size_bytes = info.size_bytes
    console = _stdout()
    _print_plain(console, f"Location   {info.location} ({info.generation})")
    _print_plain(console, f"Built      {info.built_at}   updated {info.updated_at}")
    print_report(console, report)


@index_app.command("verify")
@_writes_output
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
            _print_plain(_stderr(), f"error: {problem}", style="bold red")
        where = f" --index {index}" if index else ""
        _print_plain(_stderr(), f"hint: rebuild it with: imrsearch index build ARCHIVE_DIR{where}")
    else:
        _print_plain(
            _stdout(),
            f"ok: {found.location} ({found.generation}), {found.files} files, "
            f"{found.bytes:,} bytes checked in {found.seconds:.2f} s",
        )
    raise typer.Exit(EXIT_ERROR if bad else EXIT_MATCH)


@index_app.command("errors")
@_writes_output
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

    print_errors(_stdout(), failures)


@app.command()
def tui(
    text: Annotated[str, typer.Argument(metavar="[QUERY]", help="A query to start with.")] = "",
    index: IndexOption = None,
) -> None:
    """The interactive terminal UI: query, narrow by facets, read letters, export.

    \b
    Examples:
      imrsearch tui
      imrsearch tui 'drug:valium outcome:upheld'
    """
    api.ensure_index(index, _announce)
    from imrsearch.tui.app import make_app

    make_app(index=index, query=text).run()


def report_error(error: ImrError) -> None:
    """The message, the query with a caret under the problem, and the hint; all of them may
    quote a path or letter text, so none is markup and each goes through the sanitiser."""
    from rich.text import Text

    from imrsearch.render.terminal import for_terminal

    console = _stderr()
    console.print(Text("error: ", style="bold red") + Text(for_terminal(error.message)))
    if isinstance(error, QueryError) and error.position is not None:
        shown = for_terminal(error.query, single_line=True)
        caret = len(for_terminal(error.query[: error.position], single_line=True))
        console.print(Text(f"  {shown}"), soft_wrap=True)
        console.print(Text(" " * (caret + 2) + "^", style="bold red"))
    if error.hint:
        console.print(Text("hint: ", style="dim") + Text(for_terminal(error.hint)))


def main() -> None:
    """Typer handles usage errors (exit 2) and Ctrl-C (exit 130); a broken pipe is handled
    where output is written (`_pipe_closes_quietly`); our own errors end here."""
    try:
        app(prog_name="imrsearch")
    except ImrError as error:
        report_error(error)
        sys.exit(error.exit_code)
