"""Rich views of saved searches: the list, and what a build or update found new for each."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from imrsearch.model import SavedNews, SavedSearch
from imrsearch.render.terminal import for_terminal


def news_text(news: SavedNews) -> Text:
    """ "3 new of 43 matching", or why there is no count."""
    if news.error is not None:
        return Text(f"failed: {for_terminal(news.error, single_line=True)}", style="red")
    matched = f"{news.matched or 0:,} matching"
    if news.new is None:
        return Text(f"{matched} (first record: nothing earlier to compare)", style="dim")
    return Text(f"{news.new:,} new", style="bold" if news.new else "dim") + Text(f" of {matched}")


def print_news(console: Console, news: list[SavedNews]) -> None:
    """The update summary's part for saved searches: one line each."""
    table = Table.grid(padding=(0, 2))
    for found in news:
        table.add_row(
            Text(for_terminal(found.name, single_line=True), style="cyan"), news_text(found)
        )
    console.print(
        Text("Saved searches", style="bold"), "(see what is new: imrsearch saved new NAME)"
    )
    console.print(table)


def print_saved(console: Console, searches: list[SavedSearch], news: dict[str, SavedNews]) -> None:
    """Every saved search: name, query, options, and what the last build or update found."""
    table = Table(show_edge=False, pad_edge=False)
    for column in ("Name", "Query", "Options", "Last update"):
        table.add_column(column)
    for search in searches:
        options = " ".join(
            f"--{key.replace('_', '-')}" + ("" if value is True else f" {value}")
            for key, value in search.options.items()
        )
        found = news.get(search.name)
        last = (
            news_text(found)
            if found and found.query == search.query
            else Text("not yet", style="dim")
        )
        table.add_row(
            Text(for_terminal(search.name, single_line=True), style="cyan"),
            Text(for_terminal(search.query, single_line=True)),
            Text(for_terminal(options, single_line=True), style="dim"),
            last,
        )
    console.print(table)
