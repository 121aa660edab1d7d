"""Rich views for people: hits with highlighted passages, facets, letters, build summaries."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from imrsearch.highlight import spans
from imrsearch.model import (
    NO_ITEMS,
    OVERTURNED,
    UPHELD,
    WHOLE_LETTER,
    BuildReport,
    Decision,
    Facet,
    FacetValue,
    FileError,
    Highlight,
    Letter,
    PageMarks,
    SearchResult,
    Snippet,
    SortOrder,
    page_marks,
    pages_between,
    pin,
)
from imrsearch.render.terminal import for_terminal

PAGE_STYLE = "reverse dim"  # a page break inside a section: "[page 3]"
OUTCOME_STYLE = {UPHELD: "bold red", OVERTURNED: "bold green"}


class PipedConsole(Console):
    """rich exits 1 on a broken pipe, which reads as "no match"; here the caller decides."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


MATCH_STYLE = "bold black on yellow"
SELECTED_MARK = "✓ "  # before a facet value the query already requires
NOTHING = Highlight()


def outcome_text(outcome: str) -> Text:
    return Text(outcome.upper() or "—", style=OUTCOME_STYLE.get(outcome, "dim"))


def marked(snippet: Snippet, base: str = "") -> Text:
    """A snippet with its matches styled as highlights, each piece made safe for the terminal
    (piece by piece, because making a control character visible changes the length)."""
    text = Text(style=base)
    cursor = 0
    for start, end in snippet.spans:
        text.append(for_terminal(snippet.text[cursor:start]))
        text.append(for_terminal(snippet.text[start:end]), style=MATCH_STYLE)
        cursor = end
    text.append(for_terminal(snippet.text[cursor:]))
    return text


MORE = "more with --limit N or --all"


def print_results(
    console: Console, result: SearchResult, *, new_since: str = "", more: str = MORE
) -> None:
    """The hits, then the count line (`new_since`: the hits are a saved search's new matches,
    new since that), the hint `more` when not every hit is shown, then the facets."""
    previous_case = None
    for hit in result.hits:
        head = Text()
        case = hit.label
        head.append(
            for_terminal(case, single_line=True),
            style="bold cyan" if case != previous_case else "cyan",
        )
        head.append(f"  {hit.where}", style="bold" if hit.item is not None else "bold yellow")
        by_date = result.sort == SortOrder.DATE
        if hit.decision_date:  # the order's key stands out when hits are sorted by it
            day = f"  decided {hit.decision_date.isoformat()}"
            head.append(day, style="bold" if by_date else "dim")
        elif by_date:
            head.append("  undated (last)")
        head.append("  ")
        head.append_text(outcome_text(hit.outcome))
        if not by_date:  # by date, the score is the sort key (-20170223), not a relevance
            head.append(f"  score {hit.score:.2f}", style="dim")
        if hit.item is None:  # a letter with no parsed decision, matched as a whole
            note = f"  {NO_ITEMS}: the passage is from the letter's text"
            lines = [head, Text(note, style="dim")]
        else:
            lines = [head, Text("  " + for_terminal(hit.service), style="bold")]
        details = []
        if hit.drugs:
            details.append("drugs: " + ", ".join(hit.drugs))
        if hit.guideline_sources:
            details.append("guideline: " + ", ".join(s.upper() for s in hit.guideline_sources))
        if details:
            lines.append(Text("  " + for_terminal(" · ".join(details)), style="dim"))
        snippet = Text("  ")
        snippet.append_text(marked(hit.snippet))
        lines.append(snippet)
        console.print(Group(*lines))
        console.print()
        previous_case = case
    shown = len(result.hits)
    letters = len({h.path for h in result.hits})
    total = counted(result, "new " if new_since else "")
    total += f" since {for_terminal(new_since, single_line=True)}" if new_since else ""
    console.print(
        f"{total} (showing {shown}, from {letters} letter{'s' if letters != 1 else ''})"
        f" in {result.elapsed * 1000:.0f} ms",
        highlight=False,
        markup=False,
    )
    if shown < result.total:
        console.print(Text(more, style="dim"))
    for facet in result.facets:
        print_facet(console, facet, result.total)


def counted(result: SearchResult, new: str = "") -> str:
    """What the total counts: "87 matching decisions", or "89 matches: 87 decisions and 2 whole
    letters (no items found)" when letters without a decision matched too; `new` ("new ") goes
    before "matching" or "matches"."""
    whole = result.whole_letters
    decisions = result.total - whole
    if not whole:
        return f"{decisions:,} {new}matching decision{_s(decisions)}"
    return (
        f"{result.total:,} {new}match{'es' if result.total != 1 else ''}: {decisions:,}"
        f" decision{_s(decisions)} and {whole:,} {WHOLE_LETTER}{_s(whole)} ({NO_ITEMS})"
    )


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def facet_value_text(value: FacetValue) -> Text:
    """A facet value as one line, marked ✓ when the query already requires it."""
    shown = for_terminal(value.value, single_line=True)
    if not value.selected:
        return Text(shown)
    return Text.assemble((SELECTED_MARK, "bold green"), (shown, "bold"))


OVERLAP_NOTE = "values can overlap: a decision can count under several"


def overlap_note(facet: Facet, total: int) -> str:
    """Why a facet's counts may add up to more than the decisions counted (one reviewer with
    two specialties, one item with two drugs), or "" for a facet where they cannot."""
    if not facet.overlap:
        return ""
    return f"{OVERLAP_NOTE}, so the counts may add up to more than the {total:,} decisions"


def print_facet(console: Console, facet: Facet, total: int) -> None:
    table = Table(
        title=f"by {facet.name}", title_justify="left", caption_justify="left", show_edge=False
    )
    table.add_column(facet.name)
    table.add_column("decisions", justify="right")
    table.add_column("upheld", justify="right")
    table.add_column("uphold rate", justify="right")
    for value in facet.values:
        table.add_row(
            facet_value_text(value),
            str(value.count),
            str(value.upheld),
            f"{value.uphold_rate:.0%}",
        )
    notes = [overlap_note(facet, total)] if facet.overlap else []
    if any(v.selected for v in facet.values):
        notes.append(f"{SELECTED_MARK}required by the query")
    if facet.truncated:
        notes.append("more values not shown (--facet-limit)")
    table.caption = "; ".join(notes) or None
    console.print(table)


def print_letter(
    console: Console, letter: Letter, only: int | None = None, highlight: Highlight = NOTHING
) -> None:
    """The letter sectioned, with what `highlight` says marked."""
    header = Table.grid(padding=(0, 2))
    for label, value in (
        ("Case number", letter.case_number),
        ("Decision date", letter.decision_date),
        ("Date assigned", letter.date_assigned),
        ("Date of injury", letter.date_of_injury),
        ("UR denial date", letter.ur_denial_date),
        ("Application received", letter.application_received),
        ("Priority", letter.priority),
        ("Reviewer", ", ".join(letter.reviewer.specialties)),
        ("Licensed in", ", ".join(letter.reviewer.states)),
        ("Patient", _patient(letter)),
        ("Format", letter.format),
        ("Source", letter.path),
    ):
        if value:
            header.add_row(Text(label, style="dim"), Text(for_terminal(str(value))))
    title = Text(for_terminal(letter.case_number or "letter", single_line=True))
    console.print(Panel(header, title=title, title_align="left"))
    if letter.summary:
        console.print(Panel(_highlight(letter.summary, highlight), title="Clinical case summary"))
    for decision in letter.decisions:
        if only is None or decision.number == only:
            console.print(_decision_panel(decision, highlight))
    if not letter.decisions:
        text = letter.text.replace("\f", "\n")  # each page break is marked instead
        console.print(Panel(_paged(text, page_marks(letter.text), highlight), title="Full text"))
    for warning in letter.warnings:
        console.print(Text("warning: ", style="yellow") + Text(for_terminal(warning)))


def _patient(letter: Letter) -> str:
    parts = [f"{letter.patient.age} years" if letter.patient.age else "", letter.patient.sex or ""]
    return ", ".join(p for p in parts if p)


def _decision_panel(decision: Decision, highlight: Highlight) -> Panel:
    body = Table.grid(padding=(0, 1))
    body.add_column(style="dim", no_wrap=True)
    body.add_column()
    body.add_row("Item", _paged(decision.service, decision.pages.get("service", []), highlight))
    for label, request in partial_requests(decision):
        body.add_row(label, _highlight(request, highlight))
    if decision.drugs:
        drugs = ", ".join(f"{d.name} ({d.generic}, {d.drug_class})" for d in decision.drugs)
        body.add_row("Drugs", _highlight(drugs, highlight))
    body.add_row("Claims admin.", _highlight(decision.ca_guideline, highlight))
    body.add_row("MAXIMUS", _highlight(decision.maximus_guideline, highlight))
    marks = decision.pages.get("rationale", [])
    body.add_row("Rationale", _paged(decision.rationale, marks, highlight))
    title = Text(f"Item {decision.number}  ", style="bold")
    title.append_text(outcome_text(decision.outcome))
    pages = pages_between(marks, 0, len(decision.rationale))
    if pages:
        title.append(f"  ({pin(pages)})", style="dim")
    return Panel(body, title=title, title_align="left")


def partial_requests(decision: Decision) -> list[tuple[str, str]]:
    """What a partial authorisation adds to its item (which is the IMR-eligible request, so
    not repeated): the request as made and the part the claims administrator authorised."""
    parts = (
        ("Original request", decision.original_request),
        ("Authorized", decision.authorized_request),
    )
    return [(label, text) for label, text in parts if text]


def _paged(text: str, marks: PageMarks, highlight: Highlight) -> Text:
    """`text` marked as `_highlight` does, with "[page N]" where each later page begins."""
    found = spans(text, highlight)
    out = Text()
    start = 0
    for offset, page in marks[1:]:
        out.append_text(_piece(text, found, start, offset))
        out.append(f" [page {page}] ", style=PAGE_STYLE)
        start = offset
    out.append_text(_piece(text, found, start, len(text)))
    return out


def _piece(text: str, found: list[tuple[int, int]], start: int, stop: int) -> Text:
    inside = tuple(
        (max(s, start) - start, min(e, stop) - start) for s, e in found if s < stop and e > start
    )
    return marked(Snippet(text[start:stop], inside))


def _highlight(text: str, highlight: Highlight) -> Text:
    return marked(Snippet(text, tuple(spans(text, highlight))))


def print_report(console: Console, report: BuildReport) -> None:
    table = Table.grid(padding=(0, 2))
    rows = [
        ("Index", report.index),
        ("Archive", report.archive),
        ("Letters", f"{report.letters:,}"),
        ("Decisions", f"{report.decisions:,}"),
        ("Formats", ", ".join(f"{k} {v:,}" for k, v in sorted(report.formats.items()))),
        ("Outcomes", ", ".join(f"{k} {v:,}" for k, v in sorted(report.outcomes.items()))),
        ("Read this run", f"{report.added:,} files"),
    ]
    if report.mode == "update":
        rows += [("Unchanged", f"{report.unchanged:,}"), ("Removed", f"{report.removed:,}")]
    rows += [
        ("Not letters", f"{report.skipped:,} other files skipped"),
        ("With warnings", f"{report.warnings:,} letters"),
        ("Failures", f"{len(report.failures):,} files not indexed"),
        ("Text only", f"{len(report.text_only):,} files with no disputed item found"),
        ("Duplicates", f"{len(report.duplicates):,} files: a letter indexed from another file"),
        ("Time", f"{report.seconds:.1f} s"),
        ("Index size", _size(report.size_bytes)),
    ]
    for label, value in rows:
        table.add_row(Text(label, style="dim"), Text(for_terminal(value)))
    title = "Index built" if report.mode == "build" else "Index updated"
    console.print(Panel(table, title=title, title_align="left"))
    if report.failures or report.text_only or report.duplicates:
        console.print(
            f"[yellow]{len(report.failures)} file(s) not indexed, {len(report.text_only)} as text"
            f" only, {len(report.duplicates)} duplicate(s) of another file[/]"
            " — see: imrsearch index errors"
        )
    if report.saved:
        from imrsearch.render.saved import print_news

        print_news(console, report.saved)


def print_errors(console: Console, failures: list[FileError]) -> None:
    if not failures:
        console.print("No files failed in the last build or update.")
        return
    console.print(f"[bold]{len(failures):,} file(s) to look at[/]", highlight=False)
    # One plain line per file, written straight through: a rich table of 100,000 rows took
    # half a minute, and one line per file is what grep and a pager want.
    console.file.writelines(
        f"{for_terminal(f.path, single_line=True)}: {for_terminal(f.reason, single_line=True)}\n"
        for f in failures
    )


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


class _Rate(TextColumn):
    """Letters per second, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return super().render(task) if speed is None else Text(f"{speed:,.0f} letters/s")


def progress_bar(console: Console, label: str) -> tuple[Progress, Callable[[int, int, str], None]]:
    """A progress bar with letters/s and ETA, and the callback a build reports progress to."""
    bar = Progress(
        TextColumn(label, style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _Rate(""),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    task = bar.add_task(label, total=None)

    def advance(done: int, total: int, path: str) -> None:
        bar.update(task, completed=done, total=total)

    return bar, advance
