"""The research views of the TUI: the trend of the current query, and the decisions most like
the selected one, each in a screen over the search (Escape returns)."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from imrsearch.model import Similar, Trend
from imrsearch.render.research import shared_table, trend_view
from imrsearch.render.terminal import for_terminal


class ResearchScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Close"),
    ]

    def __init__(self, title: str, view: RenderableType) -> None:
        super().__init__()
        self.title_text = for_terminal(title, single_line=True)
        self.view = view

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="research") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = "Escape to close"
            yield Static(self.view)


def trend_screen(trend: Trend, columns: int) -> ResearchScreen:
    return ResearchScreen(f"Trend by {trend.by}: {trend.query}", trend_view(trend, columns))


def similar_screen(found: Similar) -> ResearchScreen:
    return ResearchScreen(f"Decisions most like {found.source}", shared_table(found))
