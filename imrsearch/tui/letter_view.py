"""The preview pane: a letter wrapped to the pane's width, with a current match to step through.

A line-API scroll view rather than one big Static, because it must know on which screen row
each match lands to scroll it into view, and letters can run to many pages.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from imrsearch.render.terminal import for_terminal
from imrsearch.tui.document import Document

CURRENT_STYLE = "bold underline black on bright_cyan"


def breaks(line: str, width: int) -> list[int]:
    """Where to cut a paragraph so each row fits `width`: after a space if there is one."""
    cuts: list[int] = []
    start = 0
    while len(line) - start > width:
        space = line.rfind(" ", start, start + width + 1)
        start = space + 1 if space > start else start + width
        cuts.append(start)
    return cuts


class LetterView(ScrollView, can_focus=True):
    """Shows a `Document`; `step` moves the current match and scrolls it into view."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.document = Document()
        self.current: int | None = None  # index into document.matches
        self._rows: list[tuple[int, int, int]] = []  # (paragraph, start, end) per screen row
        self._first_row: list[int] = []  # paragraph → its first row
        self._width = 0
        self._strips: dict[int, Strip] = {}
        self._home = 0  # paragraph to show when there is no current match

    def show(self, document: Document, current: int | None, home: int = 0) -> None:
        """Show a letter at match `current`, or at paragraph `home` when there is none."""
        self.document = document
        self.current = current
        self._home = home
        self._width = 0  # re-wrap for the new text
        self._layout()
        self.call_after_refresh(self._reveal)  # once the new virtual size allows the scroll

    def show_match(self, current: int | None, home: int = 0) -> None:
        """Same letter, another item or match: just move."""
        self.current = current
        self._home = home
        self._strips.clear()
        self.refresh()
        self._reveal()

    @property
    def paragraph(self) -> int:
        """The paragraph on screen: the current match's, else the one shown at the top."""
        if self.current is None:
            return self._home
        return self.document.matches[self.current][0]

    @property
    def place(self) -> str:
        """The part of the letter on screen: "item 2", "clinical case summary"."""
        return self.document.part_of(self.paragraph)

    @property
    def pane_title(self) -> Text:
        """The pane's title: the letter and the item on screen."""
        if self.document.letter is None:
            return Text("Letter")
        return Text(for_terminal(f"{self.document.name}, {self.place}", single_line=True))

    @property
    def match_label(self) -> str:
        """The current match counted within the part on screen ("match 1 of 1 in item 2"),
        and how many the whole letter holds, which n and N step through."""
        total = len(self.document.matches)
        if not total:
            return "no matches in the letter" if self.document.paragraphs else ""
        in_letter = f"{total} in the letter"
        if self.current is None:
            return f"{in_letter} (n / N)"
        place = self.place
        inside = self.document.matches_in(place)
        where = f"match {inside.index(self.current) + 1} of {len(inside)} in {place}"
        return f"{where}; {in_letter} (n / N)"

    def step(self, delta: int) -> None:
        total = len(self.document.matches)
        if not total:
            return
        if self.current is None:
            self.show_match(0 if delta > 0 else total - 1)
        else:
            self.show_match((self.current + delta) % total)

    def on_resize(self) -> None:
        self._layout()
        self.call_after_refresh(self._reveal)

    def _layout(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._width:
            return
        self._width = width
        self._rows.clear()
        self._first_row.clear()
        self._strips.clear()
        for number, paragraph in enumerate(self.document.paragraphs):
            self._first_row.append(len(self._rows))
            plain = paragraph.plain
            edges = [0, *breaks(plain, width), len(plain)]
            self._rows.extend((number, a, b) for a, b in pairwise(edges))
        self.virtual_size = Size(width, len(self._rows))
        self.refresh()

    def _row_of(self, paragraph: int, offset: int) -> int:
        first = self._first_row[paragraph]
        last = (
            self._first_row[paragraph + 1]
            if paragraph + 1 < len(self._first_row)
            else len(self._rows)
        )
        starts = [self._rows[r][1] for r in range(first, last)]
        return first + max(bisect_right(starts, offset) - 1, 0)

    def _reveal(self) -> None:
        """Scroll the current match a third of the way down, or the home paragraph to the top."""
        self.border_title = self.pane_title
        self.border_subtitle = self.match_label
        if not self._rows:
            return
        if self.current is None:
            y = self._first_row[min(self._home, len(self._first_row) - 1)]
        else:
            paragraph, start, _ = self.document.matches[self.current]
            y = max(self._row_of(paragraph, start) - self.size.height // 3, 0)
        self.scroll_to(y=y, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        if row >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        if row not in self._strips:
            self._strips[row] = self._render_row(row)
        return self._strips[row].crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _render_row(self, row: int) -> Strip:
        paragraph, start, end = self._rows[row]
        text: Text = self.document.paragraphs[paragraph][start:end]
        if self.current is not None:
            number, a, b = self.document.matches[self.current]
            if number == paragraph and a < end and b > start:
                text.stylize(CURRENT_STYLE, max(a - start, 0), min(b, end) - start)
        text.rstrip_end(self._width)
        segments = list(text.render(self.app.console, end=""))
        return Strip(segments, text.cell_len).apply_style(self.rich_style)
