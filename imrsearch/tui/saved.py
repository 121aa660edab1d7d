"""Saved searches in the TUI: a prompt that saves the current query under a name, and a picker
that lists the index's saved searches and hands the chosen one back to the app to run.

Both read and write through the API's saved-search functions (the file `imrsearch saved` uses),
in thread workers; a worker posts a message and only the screen's handlers touch its widgets.
Names and queries come from a file people edit by hand: shown as plain text, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from imrsearch.errors import ImrError
from imrsearch.model import SavedSearch
from imrsearch.render.terminal import for_terminal
from imrsearch.tui.backend import Backend
from imrsearch.tui.messages import SavedListed, SavedSearchKept, WorkFailed


def _problem(error: ImrError) -> str:
    return error.message + (f"\n{error.hint}" if error.hint else "")


class SaveSearchScreen(ModalScreen[SavedSearch | None]):
    """Asks for a name and saves `query` under it; stays open when the name is refused (the
    notification says why), so it can be corrected. Escape saves nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, query: str, backend: Backend) -> None:
        super().__init__()
        self.query_text = query
        self.backend = backend

    def compose(self) -> ComposeResult:
        with Vertical(id="save-search") as frame:
            frame.border_title = "Save this query"
            frame.border_subtitle = "Enter to save, Escape to cancel"
            yield Static(Text(for_terminal(self.query_text, single_line=True), style="bold"))
            yield Input(placeholder="a name, e.g. valium-taper", id="saved-name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save(event.value)

    @work(thread=True, exclusive=True, group="saved")
    def _save(self, name: str) -> None:
        """A refusal bubbles up to the app as `WorkFailed`, which notifies."""
        try:
            self.post_message(SavedSearchKept(self.backend.save(name, self.query_text)))
        except ImrError as error:
            self.post_message(WorkFailed("Not saved", ImrError(_problem(error))))
        except OSError as exc:  # a read-only or full disk leaves the app running
            self.post_message(WorkFailed("Not saved", exc))

    def on_saved_search_kept(self, message: SavedSearchKept) -> None:
        message.stop()
        search = message.search
        self.app.notify(f"{search.name}: {search.query}", title="Saved search kept")
        self.dismiss(search)


class SavedPicker(ModalScreen[SavedSearch | None]):
    """The index's saved searches, oldest first, each with its query, read when it opens;
    Enter returns the one chosen, Escape none."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss(None)", "Close")]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.searches: list[SavedSearch] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="saved-picker") as frame:
            frame.border_title = "Saved searches"
            frame.border_subtitle = "Enter to run, Escape to close"
            yield Static("Reading the saved searches…", id="saved-note")
            yield OptionList(id="saved-list")

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="saved")
    def _read(self) -> None:
        try:
            self.post_message(SavedListed(self.backend.saved()))
        except Exception as exc:  # a damaged saved-searches file is reported, not fatal
            self.post_message(WorkFailed("Could not read the saved searches", exc))

    def on_saved_listed(self, message: SavedListed) -> None:
        self.searches = message.searches
        note = self.query_one("#saved-note", Static)
        if not self.searches:
            note.update("No saved searches yet: run a query and press a to save it.")
            return
        note.display = False
        listing = self.query_one("#saved-list", OptionList)
        listing.set_options(Option(_row(search)) for search in self.searches)
        listing.highlighted = 0
        listing.focus()

    def on_work_failed(self, message: WorkFailed) -> None:
        """Say so here too; the message goes on up to the app, which notifies."""
        self.query_one("#saved-note", Static).update("The saved searches could not be read.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.searches[event.option_index])


def _row(search: SavedSearch) -> Text:
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(for_terminal(search.name, single_line=True), style="bold cyan")
    row.append("  " + for_terminal(search.query, single_line=True))
    return row
