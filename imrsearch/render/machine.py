"""JSON and CSV views of results: complete and stable for scripts; they only reshape."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from functools import partial
from typing import IO, Any

from imrsearch.model import Facet, Hit, Letter, SearchResult, Snippet
from imrsearch.render.terminal import for_terminal

CSV_COLUMNS = (
    "citation",
    "case_number",
    "item",
    "decision_date",
    "outcome",
    "service",
    "drugs",
    "guideline_sources",
    "score",
    "snippet",
    "path",
)


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


def hit_dict(hit: Hit) -> dict[str, Any]:
    snippet, highlights = bracketed(hit.snippet)
    return {
        "case_number": hit.case_number,
        "path": hit.path,
        "item": hit.item,
        "service": hit.service,
        "outcome": hit.outcome,
        "drugs": hit.drugs,
        "score": round(hit.score, 4),
        "snippet": snippet,
        "highlights": highlights,
        "decision_date": hit.decision_date.isoformat() if hit.decision_date else None,
        "guideline_sources": hit.guideline_sources,
        "citation": hit.citation(),
    }


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


def write_json(result: SearchResult, out: IO[str]) -> None:
    out.write(
        dumps(
            {
                "query": result.query,
                "total": result.total,
                "hits": [hit_dict(h) for h in result.hits],
                "facets": {f.name: facet_dict(f) for f in result.facets},
                "elapsed_ms": round(result.elapsed * 1000, 2),
            }
        )
    )
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
    """One row per decision, streamed; returns the number of rows. `formulas` keeps cells that
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
                    hit.item,
                    hit.decision_date.isoformat() if hit.decision_date else "",
                    hit.outcome,
                    hit.service,
                    "; ".join(hit.drugs),
                    "; ".join(hit.guideline_sources),
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
