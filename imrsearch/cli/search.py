"""The search commands: query, show, parse and the terminal UI."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from imrsearch import api
from imrsearch.cli.common import (
    IndexOption,
    JsonOption,
    announce,
    app,
    print_plain,
    stderr,
    stdout,
    writes_output,
)
from imrsearch.cli.quick import TERMINAL_LIMIT, run_query
from imrsearch.errors import EXIT_ERROR, ImrError
from imrsearch.model import SortOrder


class CiteFormat(str, Enum):
    """Citation styles (see the README's "Citing")."""

    TEXT = "text"
    MARKDOWN = "markdown"


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

Words and "quoted phrases" search the item, rationale, summary and
guideline text. An unquoted word also finds its singular or plural; a
quoted word is exact. AND / OR / NOT and -word, (parentheses), connectors
a /s b (same sentence), a /p b (same section), a w/5 b, a pre/3 b, taper!
(root), modif* (wildcard), opiod~ (fuzzy), "a b"~5 (proximity), ranges
age:[40 TO 60] and decided:>=2016-12-01. What the language cannot read
exactly is refused.

\b
Fields (aliases):
{_field_rows()}

\b
Examples:
  imrsearch query 'outcome:upheld drug:valium "no provision to modify"'
  imrsearch query 'class:opioid page:80 outcome:overturned' --facet specialty,year
  imrsearch query '"not medically necessary" age:>60' --sort date --limit 5
  imrsearch query 'drug:norco decided:>=2017-01-01' --csv > norco.csv
  imrsearch query 'drug:valium tapering' --cite --cite-format markdown
"""


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
    as_csv: Annotated[
        bool, typer.Option("--csv", help="CSV, one row per hit (a decision, or a whole letter).")
    ] = False,
    cite: Annotated[
        bool,
        typer.Option(
            "--cite",
            help="Citations instead of the hit list: case, item, date, page and the whole"
            " sentence(s) of each passage.",
        ),
    ] = False,
    cite_format: Annotated[
        Optional[CiteFormat],  # noqa: UP045
        typer.Option(
            "--cite-format",
            help="Citation style (implies --cite; default text).",
            show_default=False,
        ),
    ] = None,
    cite_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--cite-file",
            help="Write the citations of every hit (or --limit) to this new file; an existing"
            " file is never overwritten.",
            show_default=False,
        ),
    ] = None,
    csv_formulas: Annotated[
        bool,
        typer.Option(
            "--csv-formulas",
            help="Keep CSV cells that start with = + - @ as they are (by default they get a"
            " leading ' so a spreadsheet does not run them as formulas).",
        ),
    ] = False,
) -> None:
    answer(
        lambda: api.open_searcher(index),
        text,
        index=index,
        limit=limit,
        show_all=show_all,
        sort=sort,
        facet=facet,
        facet_limit=facet_limit,
        as_json=as_json,
        as_csv=as_csv,
        cite=cite,
        cite_format=cite_format,
        cite_file=cite_file,
        csv_formulas=csv_formulas,
    )


def answer(
    opening: Callable[[], api.OpenIndex],
    text: str,
    *,
    index: Path | None,
    limit: int | None,
    show_all: bool,
    sort: SortOrder,
    facet: str,
    facet_limit: int,
    as_json: bool,
    as_csv: bool,
    cite: bool,
    cite_format: CiteFormat | None,
    cite_file: Path | None,
    csv_formulas: bool,
    nothing: str = "No decisions match",
    new_since: str = "",
) -> NoReturn:
    """What `query` does once its options are read (`saved run` and `saved new` share it):
    `cli.quick.run_query`, which the typer-free path runs too; exits 0 or 1. `new_since`: the
    hits are new matches, counted as new since that."""
    raise typer.Exit(
        run_query(
            text,
            index,
            limit,
            show_all,
            sort,
            facet,
            facet_limit,
            as_json,
            as_csv,
            csv_formulas,
            cite=cite,
            cite_format=None if cite_format is None else cite_format.value,
            cite_file=cite_file,
            opening=opening,
            nothing=nothing,
            new_since=new_since,
        )
    )


@app.command()
@writes_output
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
    api.ensure_index(index, announce)
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
        print_letter(stdout(), letter, decision)
    else:
        print_letter(stdout(), letter, decision, highlight)


@app.command()
@writes_output
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
    console = None if as_json else stdout()
    for path in files:
        try:
            letter = api.parse_file(path)
        except BadFile as exc:
            failed += 1
            print_plain(stderr(), f"error: {exc.message}", style="red")
            continue
        if as_json:
            from imrsearch.render.machine import write_letters_jsonl

            write_letters_jsonl([letter], sys.stdout)
        else:
            from imrsearch.render.console import print_letter

            print_letter(console or stdout(), letter)
    if failed:
        raise typer.Exit(EXIT_ERROR)


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
    api.ensure_index(index, announce)
    from imrsearch.tui.app import make_app

    make_app(index=index, query=text).run()
