"""`imrsearch query` without typer: the most common command starts in a fraction of the time.

Importing typer (and its click) is about a fifth of a cold `imrsearch query`. `run_query` is
the command itself, typer-free; the typer command (`cli.search.query`) calls it too, so the
two paths cannot drift apart. `plain_query` reads a command line only when it is an ordinary
query: one QUERY and options from the table below, each spelt out, with a valid value. For
anything else (help, a usage error, an abbreviation, an option this table does not know)
it returns None and typer reads the line, with its messages and exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from imrsearch import api
from imrsearch.cli.output import announce, pipe_closes_quietly, print_plain, stderr, stdout
from imrsearch.errors import EXIT_MATCH, EXIT_NO_MATCH, ImrError
from imrsearch.model import SortOrder

TERMINAL_LIMIT = 20

# Option → (run_query's parameter, how to read its value; None for a flag).
_SORTS = {order.value: order for order in SortOrder}
_OPTIONS: dict[str, tuple[str, Any]] = {
    "--index": ("index", Path),
    "-i": ("index", Path),
    "--limit": ("limit", "count"),
    "-n": ("limit", "count"),
    "--all": ("show_all", None),
    "--sort": ("sort", _SORTS.get),
    "--facet": ("facet", str),
    "--facet-limit": ("facet_limit", "count"),
    "--json": ("as_json", None),
    "--csv": ("as_csv", None),
    "--csv-formulas": ("csv_formulas", None),
    "--cite": ("cite", None),
    "--cite-format": ("cite_format", {"text": "text", "markdown": "markdown"}.get),
    "--cite-file": ("cite_file", Path),
}


def plain_query(argv: list[str]) -> dict[str, Any] | None:
    """`run_query`'s arguments for `query ...` when it is an ordinary query, else None."""
    if argv[:1] != ["query"]:
        return None
    found: dict[str, Any] = {}
    texts: list[str] = []
    words = iter(argv[1:])
    for word in words:
        if word == "--":
            texts.extend(words)
            break
        if not word.startswith("-") or word == "-":
            texts.append(word)
            continue
        name, equals, value = word.partition("=")
        if name not in _OPTIONS or (equals and not name.startswith("--")):
            return None
        parameter, read = _OPTIONS[name]
        if read is None:
            if equals:
                return None
            found[parameter] = True
            continue
        if not equals:
            value = next(words, "")
        if not value:
            return None
        parsed = _count(value) if read == "count" else read(value)
        if parsed is None:
            return None
        found[parameter] = parsed
    if len(texts) != 1:
        return None
    return {"text": texts[0], **found}


def _count(value: str) -> int | None:
    """A whole number of at least 1, in plain digits (anything else is typer's to judge)."""
    return int(value) if value.isascii() and value.isdigit() and int(value) >= 1 else None


def run_query(
    text: str,
    index: Path | None = None,
    limit: int | None = None,
    show_all: bool = False,
    sort: SortOrder = SortOrder.RELEVANCE,
    facet: str = "",
    facet_limit: int = 10,
    as_json: bool = False,
    as_csv: bool = False,
    csv_formulas: bool = False,
    cite: bool = False,
    cite_format: str | None = None,
    cite_file: Path | None = None,
    opening: Callable[[], api.OpenIndex] | None = None,
    nothing: str = "No decisions match",
    new_since: str = "",
) -> int:
    """Search and write the hits; the exit status (0 matches, 1 none; errors raise). `opening`
    opens the index to search (`saved run` and `saved new` pass theirs), else `index`;
    `new_since`: the hits are new matches, counted as new since that (`saved new`)."""
    if as_json and as_csv:
        raise ImrError("choose one of --json and --csv")
    citing = cite or cite_format is not None or cite_file is not None
    if citing and (as_json or as_csv):
        raise ImrError("choose one of --cite and --json or --csv")
    api.ensure_index(index, announce)
    facets = tuple(f.strip() for f in facet.split(",") if f.strip())
    # Exports are complete unless a limit is asked for; the terminal shows a page.
    if show_all or (limit is None and (as_json or as_csv or cite_file is not None)):
        limit = None
    elif limit is None:
        limit = TERMINAL_LIMIT
    with (opening or (lambda: api.open_searcher(index)))() as searcher:
        if citing:
            from imrsearch.cli.cite import print_citations

            style = cite_format or "text"
            matched = print_citations(searcher, text, sort.value, limit, style, cite_file)
        elif as_csv:
            from imrsearch.render.machine import write_csv

            hits = searcher.iter_hits(text, sort=sort.value)
            with pipe_closes_quietly():
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
            with pipe_closes_quietly(EXIT_MATCH if matched else EXIT_NO_MATCH):
                if as_json:
                    from imrsearch.render.machine import write_json

                    write_json(result, sys.stdout)
                elif result.total:
                    from imrsearch.render.console import print_results

                    print_results(stdout(), result, new_since=new_since)
    if matched == 0:
        if not (as_json or as_csv or cite_file is not None):
            print_plain(stderr(), f"{nothing} {text}.")
        return EXIT_NO_MATCH
    return EXIT_MATCH
