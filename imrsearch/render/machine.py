"""JSON and CSV views of results: complete and stable for scripts; they only reshape."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from imrsearch.model import MATCH_END, MATCH_START, Facet, Hit, Letter, SearchResult

CSV_COLUMNS = (
    "citation",
    "case_number",
    "decision",
    "decision_date",
    "outcome",
    "service",
    "drugs",
    "guideline_sources",
    "score",
    "snippet",
    "source",
)


def plain(snippet: str, marks: tuple[str, str] = ("", "")) -> str:
    """A snippet with its match markers replaced (by nothing, or by e.g. ** **)."""
    return snippet.replace(MATCH_START, marks[0]).replace(MATCH_END, marks[1])


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "case_number": hit.case_number,
        "source": hit.source,
        "decision": hit.decision,
        "service": hit.service,
        "outcome": hit.outcome,
        "drugs": hit.drugs,
        "score": round(hit.score, 4),
        "snippet": plain(hit.snippet, ("[", "]")),
        "decision_date": hit.decision_date.isoformat() if hit.decision_date else None,
        "guideline_sources": hit.sources,
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
            }
            for v in facet.values
        ],
        "truncated": facet.truncated,
    }


def write_json(result: SearchResult, out: IO[str]) -> None:
    json.dump(
        {
            "query": result.query,
            "total": result.total,
            "hits": [hit_dict(h) for h in result.hits],
            "facets": {f.name: facet_dict(f) for f in result.facets},
            "elapsed_ms": round(result.elapsed * 1000, 2),
        },
        out,
        ensure_ascii=False,
    )
    out.write("\n")


def write_csv(hits: Iterable[Hit], out: IO[str]) -> int:
    """One row per decision, streamed; returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for hit in hits:
        writer.writerow(
            [
                hit.citation(),
                hit.case_number or "",
                hit.decision,
                hit.decision_date.isoformat() if hit.decision_date else "",
                hit.outcome,
                hit.service,
                "; ".join(hit.drugs),
                "; ".join(hit.sources),
                f"{hit.score:.4f}",
                plain(hit.snippet),
                hit.source,
            ]
        )
        rows += 1
    return rows


def write_letters_jsonl(letters: Iterable[Letter], out: IO[str]) -> None:
    for letter in letters:
        out.write(json.dumps(letter.to_dict(), ensure_ascii=False) + "\n")
