"""The help screen: the keys, then every query field with its aliases and an example."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("Enter", "in the query bar: search; in the results: read the letter"),
    ("↑ / ↓", "in the query bar: older / newer queries (kept between runs); elsewhere: move"),
    ("→", "accept the grey completion (field names, outcome values)"),
    ("Tab / Shift+Tab", "next / previous pane: query, facets, results, letter"),
    ("Enter on a facet", "require it (adds e.g. outcome:upheld); on a ✓ value, take it out"),
    ("n / N", "next / previous match in the letter (counted within each item)"),
    (
        "c",
        "cite the passage on screen: case, item, outcome, date, page (pin cite) and the whole"
        " sentence(s) (clipboard + ./imrsearch-excerpts.txt)",
    ),
    ("p", "show and copy the letter's file path"),
    ("e / j", "export every hit of the query to CSV / JSON in this folder"),
    ("z", "zoom the focused pane to the whole screen (Escape to return)"),
    ("t", "the trend of the current query by month: upheld, overturned, uphold rate"),
    ("s", "the decisions most like the selected one, with the key terms they share"),
    ("a", "save the current query under a name (as imrsearch saved add does)"),
    ("o", "open a saved search: pick one and it runs"),
    ("/", "back to the query bar"),
    ("Escape", "cancel a search, hide the error, back to the query bar, clear it"),
    ("F1 or ?", "this help"),
    ("Ctrl+Q", "quit"),
)

SYNTAX = (
    'Words and "quoted phrases" search the item, rationale, summary and guideline text; an '
    "unquoted word also finds its singular or plural, a quoted one is exact. AND, OR, NOT, "
    "-word, (parentheses), a /s b (same sentence), a /p b (same section), a w/5 b, a pre/3 b, "
    'taper! (root), modif* (prefix), opiod~ (fuzzy), "a b"~5, age:[40 TO 60] and '
    "decided:>=2016-12-01 (ranges) work too."
)
FACETS = (
    "Facets count the matching decisions per value, with the % of them upheld. Under a facet"
    " marked 'can overlap' one decision can count under several values (a reviewer with two"
    " specialties, an item with two drugs), so its counts may add up to more than the total."
)


def help_text() -> Group:
    from imrsearch import api

    keys = Table(title="Keys", title_justify="left", show_header=False, box=None, padding=(0, 2))
    keys.add_column(style="bold", no_wrap=True)
    keys.add_column()
    for key, what in KEYS:
        keys.add_row(key, what)
    fields = Table(title="Query fields", title_justify="left", box=None, padding=(0, 2))
    fields.add_column("field", style="bold", no_wrap=True)
    fields.add_column("aliases", style="dim")
    fields.add_column("what, with an example")
    for field in api.QUERY_FIELDS:
        fields.add_row(
            field.name, ", ".join(field.aliases), f"{field.description} — {field.example}"
        )
    return Group(keys, Text(""), Text(SYNTAX), Text(""), Text(FACETS), Text(""), fields)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "app.pop_screen", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as frame:
            frame.border_title = "imrsearch help"
            frame.border_subtitle = "Escape to close"
            yield Static(help_text())
