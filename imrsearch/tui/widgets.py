"""The query bar, the inline error, the results list and the facet panel.

Each gets its data from the app as plain model objects and reports what the user did with a
message from `messages`; none of them searches or reads files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from imrsearch import api
from imrsearch.errors import ImrError, QueryError
from imrsearch.model import NO_ITEMS, Facet, FacetValue, Hit, Snippet
from imrsearch.render.console import facet_value_text, marked, outcome_text
from imrsearch.render.terminal import for_terminal
from imrsearch.tui import history
from imrsearch.tui.messages import FacetChosen, HitChosen, HitHighlighted

# Values worth completing after `field:` (or an alias); the rest are open vocabularies.
FIELD_VALUES = {name: f.values for f in api.QUERY_FIELDS if f.values for name in f.names}
FIELD_NAMES = sorted(name for f in api.QUERY_FIELDS for name in f.names)
_LAST_TOKEN = re.compile(r"[\w:]*$")
SNIPPET_LEAD = 40  # characters of context kept before the first highlighted word


class FieldSuggester(Suggester):
    """Completes the word being typed to a field name (`dru` → `drug:`) or a fixed value."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if value.count('"') % 2:
            return None  # inside a phrase
        found = _LAST_TOKEN.search(value)
        token = found.group() if found else ""
        if not token:
            return None
        if ":" in token:
            name, typed = token.lower().split(":", 1)
            choices = FIELD_VALUES.get(name, ())
            suffixes = [c[len(typed) :] for c in choices if c.startswith(typed) and c != typed]
        else:
            low = token.lower()
            suffixes = [n[len(low) :] + ":" for n in FIELD_NAMES if n.startswith(low)]
        return value + suffixes[0] if suffixes else None


class QueryBar(Input):
    """The query input, with a history browsed by up and down and kept between runs in
    `history_folder` (see `tui.history`; None keeps it for this run only)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Older query", show=False),
        Binding("down", "history(1)", "Newer query", show=False),
    ]

    def __init__(self, value: str = "", history_folder: Path | None = None, **kwargs) -> None:
        super().__init__(
            value,
            placeholder='e.g. drug:valium "no provision to modify"',
            suggester=FieldSuggester(),
            **kwargs,
        )
        self.history_folder = history_folder
        self.history: list[str] = history.load(history_folder)
        self._browsing = 0  # how many steps back from the draft
        self._draft = ""

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
            del self.history[: -history.LIMIT]
            history.append(self.history_folder, text)
        self._browsing = 0

    def action_history(self, step: int) -> None:
        if self._browsing == 0:
            self._draft = self.value
        self._browsing = min(max(self._browsing - step, 0), len(self.history))
        self.value = self.history[-self._browsing] if self._browsing else self._draft
        self.cursor_position = len(self.value)


class ErrorBox(Static):
    """What is wrong with the query and where, under the query bar."""

    def show_error(self, error: ImrError) -> None:
        text = Text()
        text.append("✗ ", style="bold red")
        text.append(for_terminal(error.message), style="bold")
        if isinstance(error, QueryError) and error.position is not None:
            text.append(f" (at character {error.position + 1})\n  ")
            query, at = error.query, error.position
            text.append(for_terminal(query[:at], single_line=True))
            problem = for_terminal(query[at : at + 1], single_line=True) or " "
            text.append(problem, style="bold reverse red")
            text.append(for_terminal(query[at + 1 :], single_line=True))
        if error.hint:
            text.append(f"\n  hint: {for_terminal(error.hint)}", style="dim")
        self.update(text)
        self.display = True

    def clear(self) -> None:
        self.update("")
        self.display = False


def hit_label(hit: Hit) -> Group:
    """Two rows: case, item, outcome, drug and the disputed item; then the snippet."""
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(for_terminal(hit.label, single_line=True), style="bold cyan")
    head.append(f" {hit.where} ")
    head.append_text(outcome_text(hit.outcome))
    if hit.drugs:
        head.append(" " + for_terminal(", ".join(hit.drugs), single_line=True), style="bold")
    service = NO_ITEMS if hit.item is None else hit.service  # a whole letter has no item
    head.append("  " + for_terminal(service, single_line=True), style="dim")
    text, spans = hit.snippet.text.replace("\n", " "), hit.snippet.spans
    first = spans[0][0] if spans else -1
    if first > SNIPPET_LEAD:
        cut = first - SNIPPET_LEAD
        space = text.find(" ", cut, first)  # start on a whole word
        cut = space + 1 if space >= 0 else cut
        text = "…" + text[cut:]
        spans = tuple((start - cut + 1, end - cut + 1) for start, end in spans)
    body = marked(Snippet(text, spans))
    body.no_wrap = True
    body.overflow = "ellipsis"
    return Group(head, body)


class ResultList(OptionList):
    """The hits of the current search; moving the cursor previews, Enter opens the letter."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Read letter")]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hits: list[Hit] = []

    def show_hits(self, hits: list[Hit]) -> None:
        self.hits = hits
        self.set_options(Option(hit_label(hit)) for hit in hits)
        if hits:
            self.highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(HitHighlighted(self.hits[event.option_index]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(HitChosen(self.hits[event.option_index]))


class FacetPanel(OptionList):
    """Counts and uphold rates per facet value for the current results, values the query
    requires marked ✓, facets whose values can overlap said so (from the field registry);
    Enter on a value narrows the query to it, on a marked one widens the query again."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Narrow/widen")]
    LEGEND = "count · % upheld"
    # under a facet whose counts may add up to more than the decisions found (one line: the
    # panel is narrow, and a wrapped option can lose its second line)
    OVERLAP = "  can overlap"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices: dict[str, tuple[str, FacetValue]] = {}  # option id → (facet, value)

    def show_facets(self, facets: list[Facet], titles: dict[str, str]) -> None:
        options: list[Option] = []
        self.choices = {}
        for facet in facets:
            if not facet.values:
                continue
            title = titles[facet.name] + (" (top)" if facet.truncated else "")
            options.append(Option(_line(title, "bold"), disabled=True))
            if facet.overlap:
                options.append(Option(_line(self.OVERLAP, "dim italic"), disabled=True))
            for value in facet.values:
                row = Table.grid(expand=True, padding=(0, 1))
                row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
                row.add_column(justify="right")
                row.add_column(justify="right", width=4, style="dim")
                # Texts, not strs: a table cell string is parsed as markup
                row.add_row(
                    facet_value_text(value),
                    Text(str(value.count)),
                    Text(f"{value.uphold_rate:.0%}"),
                )
                key = f"{facet.name}:{value.value}"
                self.choices[key] = (facet.name, value)
                options.append(Option(row, id=key))
        self.set_options(options)
        self.border_subtitle = self.LEGEND if options else ""

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        field, value = self.choices[event.option.id or ""]
        self.post_message(FacetChosen(field, value.value, value.selected))


def _line(text: str, style: str) -> Text:
    return Text(text, style, no_wrap=True, overflow="ellipsis")
