"""The research commands: trend, similar and phrases. Each parses its options, calls `api`,
hands the result to one renderer and ends with an exit code (0 matches, 1 none)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from imrsearch import api
from imrsearch.cli.common import (
    IndexOption,
    JsonOption,
    announce,
    app,
    pipe_closes_quietly,
    print_plain,
    stderr,
    stdout,
)
from imrsearch.errors import EXIT_MATCH, EXIT_NO_MATCH, ImrError

CsvOption = Annotated[bool, typer.Option("--csv", help="CSV on stdout.")]


def _one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise ImrError("choose one of --json and --csv")


def _done(found: int, text: str, quiet: bool) -> None:
    if not found:
        if not quiet:
            print_plain(stderr(), f"No decisions match {text}.")
        raise typer.Exit(EXIT_NO_MATCH)
    raise typer.Exit(EXIT_MATCH)


@app.command()
def trend(
    text: Annotated[
        str, typer.Argument(metavar="QUERY", help="The query (quote it in the shell).")
    ],
    index: IndexOption = None,
    by: Annotated[str, typer.Option("--by", help="Period: month, quarter or year.")] = "month",
    facet: Annotated[
        str, typer.Option(help=f"Also a series per value of: {','.join(api.FACETS)}.")
    ] = "",
    facet_limit: Annotated[int, typer.Option(min=1, help="Series for the top N values.")] = 5,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Matching decisions per month, quarter or year: upheld, overturned, uphold rate.

    \b
    Examples:
      imrsearch trend 'class:benzodiazepine' --by month
      imrsearch trend 'class:opioid' --by quarter --facet outcome --csv
      imrsearch trend 'category:"diagnostic imaging"' --facet subcategory --json
    """
    _one_format(as_json, as_csv)
    api.ensure_index(index, announce)
    with api.open_searcher(index) as searcher:
        found = searcher.trend(text, by=by, facet=facet, facet_limit=facet_limit)
    with pipe_closes_quietly(EXIT_MATCH if found.total else EXIT_NO_MATCH):
        from imrsearch.render import research

        if as_json:
            research.write_trend_json(found, sys.stdout)
        elif as_csv:
            research.write_trend_csv(found, sys.stdout, terminal=sys.stdout.isatty())
        elif found.total:
            research.print_trend(stdout(), found)
    _done(found.total, text, as_json or as_csv)


@app.command()
def similar(
    case: Annotated[
        str, typer.Argument(metavar="CASE", help="Case number (CM16-0240524) or file path.")
    ],
    index: IndexOption = None,
    decision: Annotated[
        int, typer.Option("--decision", "-d", min=1, help="The item to compare (1-based).")
    ] = 1,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Decisions to show.")] = 10,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    csv_formulas: Annotated[
        bool,
        typer.Option("--csv-formulas", help="Keep CSV cells that start with = + - @ as they are."),
    ] = False,
) -> None:
    """The decisions most like one decision, by the key terms of its rationale, item and drugs.

    \b
    Examples:
      imrsearch similar CM16-0240524
      imrsearch similar CM17-0013077 --decision 2 --limit 20 --json
    """
    _one_format(as_json, as_csv)
    api.ensure_index(index, announce)
    with api.open_searcher(index) as searcher:
        found = searcher.similar(case, decision, limit)
    matched = found.result.total
    with pipe_closes_quietly(EXIT_MATCH if matched else EXIT_NO_MATCH):
        from imrsearch.render import research

        if as_json:
            research.write_similar_json(found, sys.stdout)
        elif as_csv:
            from imrsearch.render.machine import write_csv

            write_csv(
                found.result.hits, sys.stdout, formulas=csv_formulas, terminal=sys.stdout.isatty()
            )
        elif matched:
            research.print_similar(stdout(), found)
    _done(matched, found.source, as_json or as_csv)


@app.command()
def phrases(
    text: Annotated[
        str, typer.Argument(metavar="QUERY", help="The query (quote it in the shell).")
    ],
    index: IndexOption = None,
    by: Annotated[
        str, typer.Option("--by", help="outcome: passages of upheld against overturned.")
    ] = "",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Passages to list.")] = 20,
    minimum: Annotated[
        int, typer.Option("--min", min=1, help="Fewest matching decisions a passage is in.")
    ] = 2,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    csv_formulas: Annotated[
        bool,
        typer.Option("--csv-formulas", help="Keep CSV cells that start with = + - @ as they are."),
    ] = False,
) -> None:
    """Recurring passages in the rationales of the matching decisions, ranked by how
    distinctive they are against the whole index (log-likelihood G²), each with its decisions,
    upheld and overturned, an example and the query that finds it.

    \b
    Examples:
      imrsearch phrases 'class:benzodiazepine outcome:upheld'
      imrsearch phrases 'class:opioid' --by outcome --limit 10
      imrsearch phrases 'category:"physical medicine"' --csv > pt-phrases.csv
    """
    _one_format(as_json, as_csv)
    if by not in ("", "outcome"):
        raise ImrError(f"unknown --by '{by}'", hint="phrases --by outcome")
    api.ensure_index(index, announce)
    with api.open_searcher(index) as searcher:
        report = searcher.phrases(text, limit, minimum, by_outcome=by == "outcome")
    with pipe_closes_quietly(EXIT_MATCH if report.total else EXIT_NO_MATCH):
        from imrsearch.render import research

        if as_json:
            research.write_phrases_json(report, sys.stdout)
        elif as_csv:
            research.write_phrases_csv(
                report, sys.stdout, formulas=csv_formulas, terminal=sys.stdout.isatty()
            )
        elif report.total:
            research.print_phrases(stdout(), report)
    _done(report.total, text, as_json or as_csv)
