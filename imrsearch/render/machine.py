"""JSON and CSV views of results: complete and stable for scripts; they only reshape."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import IO, Any

from imrsearch.model import Facet, Hit, Letter, SearchResult, Snippet, SortOrder, cited
from imrsearch.render.terminal import for_terminal

CSV_COLUMNS = (
    "citation",
    "case_number",
    "item",  # empty for a whole-letter hit (a letter with no parsed decision)
    "decision_date",
    "outcome",
    "service",
    "drugs",
    "guideline_sources",
    "guidelines",
    "date_of_injury",
    "specialty",
    "state",
    "age",
    "sex",
    "score",
    "snippet",
    "path",
)
LIST_SEP = "; "  # between the values of a many-valued cell


def plain(snippet: Snippet, marks: tuple[str, str] = ("", "")) -> str:
    """A snippet's text with each match between `marks` (none, or e.g. [ ])."""
    return bracketed(snippet, marks)[0]


def bracketed(snippet: Snippet, marks: tuple[str, str] = ("[", "]")) -> tuple[str, list[list[int]]]:
    """A snippet's text with each match between `marks`, and where each match is in that text
    (inside its marks): marks the letter itself contains are not matches."""
    parts: list[str] = []
    where: list[list[int]] = []
    size = cursor = 0
    for start, end in snippet.spans:
        parts += [snippet.text[cursor:start], marks[0]]
        size += start - cursor + len(marks[0])
        where.append([size, size + end - start])
        parts += [snippet.text[start:end], marks[1]]
        size += end - start + len(marks[1])
        cursor = end
    parts.append(snippet.text[cursor:])
    return "".join(parts), where


def hit_dict(hit: Hit, by_date: bool = False) -> dict[str, Any]:
    """A hit as JSON; sorted by date, a hit's score is the sort key, so it is null."""
    snippet, highlights = bracketed(hit.snippet)
    return {
        "case_number": hit.case_number,
        "path": hit.path,
        "item": hit.item,
        "service": hit.service,
        "outcome": hit.outcome,
        "drugs": hit.drugs,
        "score": None if by_date else round(hit.score, 4),
        "snippet": snippet,
        "highlights": highlights,
        "decision_date": _day(hit.decision_date),
        "guideline_sources": hit.guideline_sources,
        "guidelines": [
            {"source": c.source, "topic": c.topic, "pages": list(c.pages)} for c in hit.guidelines
        ],
        "date_of_injury": _day(hit.date_of_injury),
        "specialties": hit.specialties,
        "states": hit.states,
        "age": hit.age,
        "sex": hit.sex,
        "citation": hit.citation(),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def facet_dict(facet: Facet) -> dict[str, Any]:
    return {
        "name": facet.name,
        "values": [
            {
                "value": v.value,
                "count": v.count,
                "upheld": v.upheld,
                "uphold_rate": round(v.uphold_rate, 4),
                "selected": v.selected,
            }
            for v in facet.values
        ],
        "truncated": facet.truncated,
        "overlap": facet.overlap,
    }


# JSON escapes C0 controls itself; these it would write raw, and a terminal showing the
# output could act on C1 controls or reorder text at a bidi override. As \uXXXX escapes the
# JSON decodes to exactly the same strings.
_RAW_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def dumps(data: Any) -> str:
    """`data` as one line of JSON, exact, with nothing a terminal would act on."""
    text = json.dumps(data, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def result_dict(result: SearchResult) -> dict[str, Any]:
    """A search result as `query --json` writes it (the web API answers the same shape)."""
    return {
        "query": result.query,
        "total": result.total,
        "whole_letters": result.whole_letters,
        "hits": [hit_dict(h, result.sort == SortOrder.DATE) for h in result.hits],
        "facets": {f.name: facet_dict(f) for f in result.facets},
        "elapsed_ms": round(result.elapsed * 1000, 2),
    }


def write_json(result: SearchResult, out: IO[str]) -> None:
    out.write(dumps(result_dict(result)))
    out.write("\n")


# OWASP's CSV injection advice: a cell that starts with one of these is a formula to a
# spreadsheet (=HYPERLINK(...), +cmd|...), so it is written after an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any, *, formulas: bool = False, terminal: bool = False) -> str:
    """One CSV cell: formula-looking text neutralised unless `formulas`; made safe to show when
    written to a terminal."""
    text = str(value)
    if terminal:
        text = for_terminal(text)
    if not formulas and text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def write_csv(
    hits: Iterable[Hit], out: IO[str], *, formulas: bool = False, terminal: bool = False
) -> int:
    """One row per hit (a decision, or a letter with no decision), streamed; returns the number
    of rows. `formulas` keeps cells that
    start like a spreadsheet formula as they are; `terminal` makes control characters visible
    (for CSV shown on a terminal rather than saved)."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    cell = partial(csv_cell, formulas=formulas, terminal=terminal)
    for hit in hits:
        writer.writerow(
            map(
                cell,
                [
                    hit.citation(),
                    hit.case_number or "",
                    "" if hit.item is None else hit.item,
                    _day(hit.decision_date) or "",
                    hit.outcome,
                    hit.service,
                    LIST_SEP.join(hit.drugs),
                    LIST_SEP.join(hit.guideline_sources),
                    LIST_SEP.join(cited(c) for c in hit.guidelines),
                    _day(hit.date_of_injury) or "",
                    LIST_SEP.join(hit.specialties),
                    LIST_SEP.join(hit.states),
                    "" if hit.age is None else hit.age,
                    hit.sex or "",
                    f"{hit.score:.4f}",
                    plain(hit.snippet),
                    hit.path,
                ],
            )
        )
        rows += 1
    return rows


def write_letters_jsonl(letters: Iterable[Letter], out: IO[str]) -> None:
    for letter in letters:
        out.write(dumps(letter.to_dict()) + "\n")
