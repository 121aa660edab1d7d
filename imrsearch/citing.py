"""Citations of hits, in one style for every front end (the CLI, the TUI, a web view).

A citation names the decision and pins the passage to the letter's page:

    CM17-0012582, item 2 (Ultram (tramadol) 50mg #90; upheld), decided 2017-01-23, pp. 2-3:
    "This medical necessity decision should not be interpreted as a recommendation ..."
    Source: letters/CM17-0012582.pdf

The quotation is the whole sentence(s) of the matched passage (`model.Passage`), never a cut
fragment; only a text with no sentence end near the match is cut at a word, and the cut is
shown as "…". Markdown puts the case number in bold, the item in italics and the quotation in
a block quote, with every character Markdown reads as markup escaped. The strings here are
data: a view that prints them to a terminal passes them through `render.terminal`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from imrsearch.model import WHOLE_LETTER, Hit, pin

STYLES = ("text", "markdown")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def quotation(hit: Hit) -> str:
    """The hit's passage as quoted: whole sentences, one line, a cut marked with "…"."""
    passage = hit.passage
    if passage is None:
        return ""
    before = "… " if passage.cut_before else ""
    after = " …" if passage.cut_after else ""
    return f"{before}{passage.text}{after}"


def heading(hit: Hit, markdown: bool = False, part: str | None = None) -> str:
    """Case, item (what was asked and decided), date and pin cite, ending with a colon;
    `part` names a part of the letter outside its items instead ("clinical case summary")."""
    mark = _escaped if markdown else str
    case = f"**{mark(hit.label)}**" if markdown else hit.label
    if part is not None:
        where = mark(part)
    elif hit.item is None:
        where = WHOLE_LETTER
    else:
        decided = "; ".join(p for p in (hit.service, hit.outcome) if p)
        said = f"*{mark(decided)}*" if markdown and decided else mark(decided)
        where = f"item {hit.item}" + (f" ({said})" if decided else "")
    parts = [case, where]
    if hit.decision_date:
        parts.append(f"decided {hit.decision_date.isoformat()}")
    pages = pin(hit.passage.pages) if hit.passage else ""
    if pages:
        parts.append(pages)
    return ", ".join(parts) + ":"


def cite(hit: Hit, style: str = "text", part: str | None = None) -> str:
    """One citation block, ending with a newline; `style` is one of `STYLES`; `part` as for
    `heading`."""
    if style not in STYLES:
        raise ValueError(f"unknown citation style '{style}' (use {' or '.join(STYLES)})")
    quoted = quotation(hit)
    if style == "markdown":
        return (
            f"{heading(hit, markdown=True, part=part)}\n\n> {_escaped(quoted)}\n\n"
            f"Source: {_escaped(hit.path)}\n"
        )
    return f'{heading(hit, part=part)}\n"{quoted}"\nSource: {hit.path}\n'


def citations(hits: Iterable[Hit], style: str = "text") -> Iterable[str]:
    """The citation blocks of `hits`, a blank line between them, made one at a time."""
    for n, hit in enumerate(hits):
        yield ("\n" if n else "") + cite(hit, style)


def write_citations(hits: Iterable[Hit], path: Path, style: str = "text") -> int:
    """Every citation of `hits` to a new file at `path`, created exclusively: never an
    existing file, never through a link planted under the name (`FileExistsError`). Returns
    how many hits were cited."""
    if style not in STYLES:
        raise ValueError(f"unknown citation style '{style}' (use {' or '.join(STYLES)})")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    count = 0
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        for block in citations(hits, style):
            out.write(block)
            count += 1
    return count


def _escaped(text: str) -> str:
    """`text` with Markdown's markup characters escaped, on one line."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))
