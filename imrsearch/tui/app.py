"""`imrsearch tui`: query, narrow by facets, read the letter at the matched passage, cite, export.

Searches, letter reads and exports run in thread workers that post a message when done; only
the message handlers here touch widgets. One `Backend` (one open searcher) lives as long as
the app.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.widgets import Footer, Input, Static

from imrsearch import api
from imrsearch.errors import ImrError, QueryError
from imrsearch.model import Highlight, Hit, Letter, SavedSearch, SearchResult
from imrsearch.render.console import counted
from imrsearch.render.terminal import for_terminal
from imrsearch.tui.backend import FACETS, Backend
from imrsearch.tui.document import Document, build_document, cite
from imrsearch.tui.history import history_folder
from imrsearch.tui.letter_view import LetterView
from imrsearch.tui.messages import (
    Exported,
    FacetChosen,
    HitChosen,
    HitHighlighted,
    LetterLoaded,
    ResearchDone,
    SearchDone,
    SearchFailed,
    WorkFailed,
)
from imrsearch.tui.widgets import ErrorBox, FacetPanel, QueryBar, ResultList

EXCERPTS_FILE = "imrsearch-excerpts.txt"


class ImrApp(App[None]):
    """The full-screen search app; build it with `make_app`."""

    TITLE = "imrsearch"
    CSS_PATH = "app.tcss"
    # declared by Textual as an instance attribute with a class default
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("escape", "escape", "Cancel/clear", show=False),
        Binding("slash", "focus_query", "Query", show=False),
        Binding("n", "step(1)", "Next match"),
        Binding("N,shift+n", "step(-1)", "Prev match", show=False),
        Binding("c", "copy_excerpt", "Cite"),
        Binding("p", "show_path", "Path"),
        Binding("e", "export('csv')", "CSV"),
        Binding("j", "export('json')", "JSON"),
        Binding("z", "zoom", "Zoom", show=False),
        Binding("t", "trend", "Trend"),
        Binding("s", "similar", "Similar"),
        Binding("a", "save_search", "Save"),
        Binding("o", "open_saved", "Saved"),
    ]

    def __init__(
        self, index: Path | None = None, query: str = "", history_folder: Path | None = None
    ) -> None:
        super().__init__()
        self.backend = Backend(index)
        self.initial_query = query
        self.history_folder = history_folder
        self.result: SearchResult | None = None
        self.hit: Hit | None = None  # the hit under the results cursor
        self.searching = False
        self._serial = 0  # numbers searches so a late answer to an old one is ignored
        self._cancel = threading.Event()  # stops the running search (see `Backend.search`)
        self._highlight = Highlight()
        self._letters: dict[str, Letter] = {}
        self._documents: dict[str, Document] = {}  # for the current results' highlighting

    def compose(self) -> ComposeResult:
        yield QueryBar(self.initial_query, self.history_folder, id="query")
        yield ErrorBox(id="error")
        yield Static("Type a query and press Enter.  F1 for help.", id="status")
        with Horizontal(id="main"):
            yield FacetPanel(id="facets")
            with Vertical(id="right"):
                yield ResultList(id="results")
                yield LetterView(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#query").border_title = "Query (F1: help)"
        self.query_one("#facets").border_title = "Facets"
        self.query_one("#results").border_title = "Results"
        self.query_one("#preview").border_title = "Letter"
        self.query_one(QueryBar).focus()
        if self.initial_query.strip():
            self.search(self.initial_query)
        else:
            self._warm_up()

    def on_unmount(self) -> None:
        self.backend.close()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification quotes data (paths, errors) sooner or later: never markup, and
        made safe for the terminal, whatever the caller passes."""
        super().notify(
            for_terminal(message),
            title=for_terminal(title, single_line=True),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # searching

    def search(self, text: str) -> None:
        self.query_one(QueryBar).remember(text)
        self._serial += 1
        self.searching = True
        self.query_one("#status", Static).update("Searching…")
        self._cancel.set()  # a search still running gives way to this one
        self._cancel = threading.Event()
        self._run_search(text, self._serial, self._cancel)

    @work(thread=True, exclusive=True, group="search")
    def _warm_up(self) -> None:
        try:
            self.backend.warm_up()
        except ImrError as error:
            self.post_message(SearchFailed(self._serial, error))

    @work(thread=True, exclusive=True, group="search")
    def _run_search(self, text: str, serial: int, cancel: threading.Event) -> None:
        try:
            result = self.backend.search(text, cancel)
        except ImrError as error:
            self.post_message(SearchFailed(serial, error))
        except Exception as exc:  # whatever the engine chokes on must not end the app
            self.post_message(SearchFailed(serial, ImrError(f"the search failed: {exc}")))
        else:
            self.post_message(SearchDone(serial, result))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.search(event.value)

    def on_search_done(self, message: SearchDone) -> None:
        if message.serial != self._serial:
            return
        self.searching = False
        result = self.result = message.result
        self._highlight = result.highlight
        self._documents.clear()
        self.query_one(QueryBar).remove_class("-error")
        self.query_one(ErrorBox).clear()
        shown = len(result.hits)
        status = f"{counted(result)} in {result.elapsed * 1000:.0f} ms"
        if shown < result.total:
            status += f"; showing the first {shown} (e / j export all)"
        self.query_one("#status", Static).update(status)
        self.query_one(FacetPanel).show_facets(result.facets, FACETS)
        self.query_one(ResultList).show_hits(result.hits)
        if not result.hits:
            self._clear_preview()

    def _clear_preview(self) -> None:
        self.hit = None
        self.query_one(LetterView).show(Document(), None)

    def on_search_failed(self, message: SearchFailed) -> None:
        if message.serial != self._serial:
            return
        self.searching = False
        error = message.error
        bar = self.query_one(QueryBar)
        bar.add_class("-error")
        if isinstance(error, QueryError) and error.position is not None:
            bar.cursor_position = error.position
        self.query_one(ErrorBox).show_error(error)
        self.query_one("#status", Static).update("Fix the query and press Enter again.")

    def on_facet_chosen(self, message: FacetChosen) -> None:
        """Narrow the query to the value, or widen it again when the query requires it."""
        bar = self.query_one(QueryBar)
        base = self.result.query if self.result else bar.value
        change = api.widen if message.selected else api.narrow
        try:
            text = change(base, message.field, message.value)
        except QueryError as error:
            hint = f"\n{error.hint}" if error.hint else ""
            self.notify(error.message + hint, title="Cannot change the query", severity="error")
            return
        bar.value = text
        if text.strip():
            self.search(text)
            return
        # the value was all the query asked for: back to an empty query and no results
        self.result = None
        self.query_one(FacetPanel).show_facets([], FACETS)
        self.query_one(ResultList).show_hits([])
        self._clear_preview()
        self.query_one("#status", Static).update("Type a query and press Enter.  F1 for help.")
        bar.focus()

    # the letter preview

    def on_hit_highlighted(self, message: HitHighlighted) -> None:
        self.hit = message.hit
        if message.hit.path in self._letters:
            self._preview(message.hit)
        else:
            self._load_letter(message.hit)

    def on_hit_chosen(self, message: HitChosen) -> None:
        self.query_one(LetterView).focus()

    @work(thread=True, exclusive=True, group="letter")
    def _load_letter(self, hit: Hit) -> None:
        try:
            self.post_message(LetterLoaded(hit, self.backend.letter(hit.path)))
        except Exception as exc:  # a letter that cannot be read leaves the rest usable
            self.post_message(WorkFailed(f"Could not read {hit.path}", exc))

    def on_letter_loaded(self, message: LetterLoaded) -> None:
        self._letters[message.hit.path] = message.letter
        if message.hit is self.hit:
            self._preview(message.hit)

    def _preview(self, hit: Hit) -> None:
        view = self.query_one(LetterView)
        doc = self._documents.get(hit.path)
        if doc is None:
            doc = build_document(self._letters[hit.path], self._highlight)
            self._documents[hit.path] = doc
        current = doc.target(hit.item, hit.snippet)
        home = 0 if hit.item is None else doc.anchors.get(hit.item, 0)  # a whole letter: its top
        if view.document is doc:
            view.show_match(current, home)
        else:
            view.show(doc, current, home)

    def action_step(self, delta: int) -> None:
        self.query_one(LetterView).step(delta)

    # citing and exporting

    def action_copy_excerpt(self) -> None:
        """Cite what is on screen: the current match's passage, in the item (or part of the
        letter) that holds it, which `n` may have moved away from the selected result."""
        hit = self.hit
        if hit is None:
            self.notify("Select a result first.", severity="warning")
            return
        view = self.query_one(LetterView)
        doc, current = view.document, view.current
        if doc is not self._documents.get(hit.path) or current is None:
            # its letter is still being read, or holds no match: the hit's own passage, in
            # the citation style every front end shares (whole sentences, pin cite)
            text = for_terminal(api.cite(hit))
        else:
            text = for_terminal(cite(doc, current))
        self.copy_to_clipboard(text)
        try:
            path = Path.cwd() / EXCERPTS_FILE
            append_excerpt(path, text)
        except OSError as exc:
            where = exc.filename or EXCERPTS_FILE
            self.notify(
                f"Copied to the clipboard; could not write {where}: {exc.strerror or exc}",
                severity="error",
            )
            return
        self.notify(f"Copied to the clipboard (if the terminal allows) and appended to {path}")

    def action_show_path(self) -> None:
        if self.hit is None:
            self.notify("Select a result first.", severity="warning")
            return
        self.copy_to_clipboard(self.hit.path)
        self.notify(for_terminal(self.hit.path, single_line=True), title="Letter file (copied)")

    def action_export(self, fmt: str) -> None:
        if self.result is None:
            self.notify("Run a query first.", severity="warning")
            return
        self.notify(f"Exporting {counted(self.result)} to {fmt.upper()}…")
        self._export(self.result.query, fmt)

    @work(thread=True, group="export")
    def _export(self, text: str, fmt: str) -> None:
        try:
            folder = Path.cwd()
            self.post_message(Exported(*self.backend.export(text, fmt, folder)))
        except Exception as exc:  # a full disk or a vanished index must not end the app
            self.post_message(WorkFailed("Export failed", exc))

    def on_exported(self, message: Exported) -> None:
        rows = f"{message.rows:,} hit{'s' if message.rows != 1 else ''}"
        self.notify(f"{rows} written to {message.path}", title="Exported")

    # research views

    def action_trend(self) -> None:
        if self.result is None:
            self.notify("Run a query first.", severity="warning")
            return
        self._research(self.result.query, None)

    def action_similar(self) -> None:
        if self.hit is None or self.hit.item is None:
            self.notify("Select a decision in the results first.", severity="warning")
            return
        self._research("", self.hit)

    @work(thread=True, exclusive=True, group="research")
    def _research(self, text: str, hit: Hit | None) -> None:
        try:
            found = self.backend.similar(hit) if hit is not None else self.backend.trend(text)
            self.post_message(ResearchDone(found))
        except Exception as exc:  # shown, never the end of the app
            self.post_message(WorkFailed("Trend or similar decisions failed", exc))

    def on_research_done(self, message: ResearchDone) -> None:
        from imrsearch.model import Trend
        from imrsearch.tui.research import similar_screen, trend_screen

        found = message.found
        if isinstance(found, Trend):
            self.push_screen(trend_screen(found, self.size.width - 8))
        else:
            self.push_screen(similar_screen(found))

    # saved searches

    def action_save_search(self) -> None:
        from imrsearch.tui.saved import SaveSearchScreen

        if self.result is None:
            self.notify("Run a query first.", severity="warning")
            return
        self.push_screen(SaveSearchScreen(self.result.query, self.backend))

    def action_open_saved(self) -> None:
        from imrsearch.tui.saved import SavedPicker

        self.push_screen(SavedPicker(self.backend), self._run_saved)

    def _run_saved(self, search: SavedSearch | None) -> None:
        if search is not None:
            bar = self.query_one(QueryBar)
            bar.value = search.query
            bar.focus()
            self.search(search.query)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(str(message.error), title=message.what, severity="error")

    # moving around

    def action_help(self) -> None:
        from imrsearch.tui.screens import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_focus_query(self) -> None:
        self.query_one(QueryBar).focus()

    def action_zoom(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
        elif self.focused is not None:
            self.screen.maximize(self.focused)

    def action_escape(self) -> None:
        """Cancel a running search, else hide the error, else go to the query bar, else clear it."""
        bar = self.query_one(QueryBar)
        error = self.query_one(ErrorBox)
        if self.searching:
            self._cancel.set()
            self.workers.cancel_group(self, "search")
            self._serial += 1
            self.searching = False
            self.query_one("#status", Static).update("Search cancelled.")
        elif error.display:
            error.clear()
            bar.remove_class("-error")
        elif self.focused is not bar:
            bar.focus()
        else:
            bar.value = ""


def append_excerpt(path: Path, text: str) -> None:
    """Append to the excerpts file, never through a symlink planted in its place (O_NOFOLLOW)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(text + "\n")


def make_app(index: Path | None = None, query: str = "") -> ImrApp:
    """The app the CLI runs and the tests drive; its query history is kept in the user's
    state folder."""
    return ImrApp(index=index, query=query, history_folder=history_folder())
