"""The saved-search commands: add, list, run, new, remove."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Optional

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
from imrsearch.cli.search import TERMINAL_LIMIT, CiteFormat, answer
from imrsearch.errors import ImrError
from imrsearch.model import SavedSearch, SortOrder

saved_app = typer.Typer(
    help="Save a query under a name, run it again, and see what is new since the last update.",
    no_args_is_help=True,
)
app.add_typer(saved_app, name="saved")

NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="The saved search's name.")]
SortOption = Annotated[
    Optional[SortOrder],  # noqa: UP045
    typer.Option(help="Newest first with date.", show_default=False),
]
LimitOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--limit",
        "-n",
        min=1,
        help=f"Hits to show (default: {TERMINAL_LIMIT} on the terminal, every hit with --json"
        " and --csv).",
        show_default=False,
    ),
]
AllOption = Annotated[bool, typer.Option("--all", help="Show every hit (no limit).")]
FacetOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help=f"Count by: {','.join(api.FACETS)}.", show_default=False),
]
FacetLimitOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(min=1, help="Values per facet (default 10).", show_default=False),
]
CsvOption = Annotated[bool, typer.Option("--csv", help="CSV, one row per hit.")]
CiteOption = Annotated[bool, typer.Option("--cite", help="Citations instead of the hit list.")]
CiteFormatOption = Annotated[
    Optional[CiteFormat],  # noqa: UP045
    typer.Option("--cite-format", help="Citation style (implies --cite).", show_default=False),
]
CiteFileOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--cite-file", help="Write the citations to this new file.", show_default=False),
]
FormulasOption = Annotated[
    bool, typer.Option("--csv-formulas", help="Keep CSV cells that start with = + - @ as they are.")
]


@saved_app.command("add")
def saved_add(
    name: NameArgument,
    text: Annotated[str, typer.Argument(metavar="QUERY", help="The query (see query --help).")],
    index: IndexOption = None,
    sort: SortOption = None,
    limit: LimitOption = None,
    show_all: AllOption = False,
    facet: FacetOption = None,
    facet_limit: FacetLimitOption = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Change the saved search of this name.")
    ] = False,
) -> None:
    """Save a query and the query options it runs with, under a name.

    \b
    Examples:
      imrsearch saved add valium-taper 'drug:valium tapering outcome:upheld' --sort date
      imrsearch saved add opioids 'class:opioid' --facet specialty,year --replace
    """
    api.ensure_index(index, announce)
    given = {"sort": sort.value if sort else None, "limit": limit, "all": show_all or None}
    given.update(facet=facet, facet_limit=facet_limit)
    options = {k: v for k, v in given.items() if v is not None}
    saved = api.save_search(name, text, options, index, replace=replace)
    print_plain(stderr(), f"saved {saved.name!r}: {saved.query}")


@saved_app.command("list")
@writes_output
def saved_list(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """The saved searches, and what the last build or update found new for each."""
    api.ensure_index(index, announce)
    searches = api.saved_searches(index)
    news = {n.name: n for n in api.saved_news(index)}
    if as_json:
        from dataclasses import asdict

        from imrsearch.render.machine import dumps

        rows: list[dict[str, Any]] = []
        for search in searches:
            found = news.get(search.name)
            recorded = asdict(found) if found and found.query == search.query else None
            rows.append({**search.to_dict(), "last_update": recorded})
        print(dumps({"searches": rows}))
        return
    if not searches:
        print_plain(stderr(), "No saved searches. Save one with: imrsearch saved add NAME QUERY")
        return
    from imrsearch.render.saved import print_saved

    print_saved(stdout(), searches, news)


@saved_app.command("remove")
def saved_remove(name: NameArgument, index: IndexOption = None) -> None:
    """Forget a saved search."""
    gone = api.remove_search(name, index)
    print_plain(stderr(), f"removed {gone.name!r}: {gone.query}")


@saved_app.command("run")
def saved_run(
    name: NameArgument,
    index: IndexOption = None,
    limit: LimitOption = None,
    show_all: AllOption = False,
    sort: SortOption = None,
    facet: FacetOption = None,
    facet_limit: FacetLimitOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    cite: CiteOption = False,
    cite_format: CiteFormatOption = None,
    cite_file: CiteFileOption = None,
    csv_formulas: FormulasOption = False,
) -> None:
    """Run a saved search; every option of `query` is accepted and wins over the saved one.

    \b
    Examples:
      imrsearch saved run valium-taper
      imrsearch saved run valium-taper --csv > taper.csv
    """
    api.ensure_index(index, announce)
    search = api.saved_search(name, index)
    answer(
        lambda: api.open_searcher(index),
        search.query,
        index=index,
        **_merged(search, limit, show_all, sort, facet, facet_limit),
        as_json=as_json,
        as_csv=as_csv,
        cite=cite,
        cite_format=cite_format,
        cite_file=cite_file,
        csv_formulas=csv_formulas,
    )


@saved_app.command("new")
def saved_new(
    name: NameArgument,
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="New on or after this day (YYYY-MM-DD), not only in the last update.",
            show_default=False,
        ),
    ] = None,
    index: IndexOption = None,
    limit: LimitOption = None,
    show_all: AllOption = False,
    sort: SortOption = None,
    facet: FacetOption = None,
    facet_limit: FacetLimitOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    cite: CiteOption = False,
    cite_format: CiteFormatOption = None,
    cite_file: CiteFileOption = None,
    csv_formulas: FormulasOption = False,
) -> None:
    """A saved search's new matches: decisions it first matched in the last build or update
    (or since a day), shown as `query` shows hits.

    \b
    Examples:
      imrsearch saved new valium-taper
      imrsearch saved new valium-taper --since 2024-05-01 --json
    """
    day = _day(since) if since is not None else None
    api.ensure_index(index, announce)
    search = api.saved_search(name, index)
    answer(
        lambda: api.NewMatches(search, day, index),
        search.query,
        index=index,
        **_merged(search, limit, show_all, sort, facet, facet_limit),
        as_json=as_json,
        as_csv=as_csv,
        cite=cite,
        cite_format=cite_format,
        cite_file=cite_file,
        csv_formulas=csv_formulas,
        nothing="No new decisions match",
        new_since=day.isoformat() if day is not None else _last_update(search, index),
    )


def _last_update(search: SavedSearch, index: Path | None) -> str:
    """ "the last update (2024-05-02 10:14 UTC)": when the record of what is new was made."""
    found = next((n for n in api.saved_news(index) if n.name == search.name), None)
    try:
        when = datetime.fromisoformat(found.recorded if found else "")
    except ValueError:
        return "the last update"
    return f"the last update ({when.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC)"


def _merged(
    search: SavedSearch,
    limit: int | None,
    show_all: bool,
    sort: SortOrder | None,
    facet: str | None,
    facet_limit: int | None,
) -> dict[str, Any]:
    """The saved options, each overridden by the one given on the command line."""
    saved = search.options
    if limit is None and not show_all:
        limit, show_all = saved.get("limit"), bool(saved.get("all", False))
    return {
        "limit": limit,
        "show_all": show_all,
        "sort": sort or SortOrder(saved.get("sort", SortOrder.RELEVANCE.value)),
        "facet": saved.get("facet", "") if facet is None else facet,
        "facet_limit": facet_limit or saved.get("facet_limit", 10),
    }


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ImrError(
            f"--since takes a day as YYYY-MM-DD, not {text!r}", hint="for example 2024-05-01"
        ) from None
