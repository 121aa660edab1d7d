"""Citations in the one style every front end shares: a hit, a match a reader moved to, or a
whole result set written to a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from imrsearch.model import Highlight, Hit, Letter, Snippet, page_marks


def cite(hit: Hit, style: str = "text") -> str:
    """One hit as a citation block: case, item, date, pin cite and the whole sentence(s)."""
    from imrsearch.citing import cite as cited

    return cited(hit, style)


def cite_at(
    letter: Letter,
    item: int | None,
    section: str,
    text: str,
    span: tuple[int, int],
    part: str | None = None,
    style: str = "text",
) -> str:
    """A citation of the match at `span` of `text` (the `section` of item `item` of `letter`,
    or of the letter's text; `part` names a part outside the items), in the style of `cite`:
    what a view cites when its reader has moved to a match the search did not pick."""
    from imrsearch.citing import cite as cited
    from imrsearch.engine.passages import passage
    from imrsearch.highlight import Matches

    decision = next((d for d in letter.decisions if d.number == item), None)
    if decision is not None:
        marks = decision.pages.get(section, [])
    else:
        marks = page_marks(letter.text) if section == "text" else []
    found = passage(text, Highlight(), marks, section, matches=Matches([span], [span]))
    hit = Hit(
        case_number=letter.case_number,
        path=letter.path,
        item=decision.number if decision else None,
        service=decision.service if decision else "",
        outcome=decision.outcome if decision else "",
        drugs=[],
        score=0.0,
        snippet=Snippet(found.text if found else ""),
        decision_date=letter.decision_date,
        passage=found,
    )
    return cited(hit, style, part)


def write_citations(hits: Iterator[Hit] | list[Hit], path: Path, style: str = "text") -> int:
    """The citations of `hits` to a new file (never an existing one, never through a link:
    `FileExistsError`); how many were written."""
    from imrsearch.citing import write_citations as write

    return write(hits, Path(path), style)
