"""Parsing speed on one core: real PDFs (text extraction + parsing) and text letters.

    python benchmarks/parse_speed.py [--corpus tests/data/corpus/dwc-2016-17] [--rounds 5]

Prints a Markdown table: letters per second, median of the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from imrsearch.api import samples_dir
from imrsearch.ingest.extract import extract_text
from imrsearch.ingest.parser import parse_text

ROOT = Path(__file__).resolve().parents[1]


def rate(work, items, rounds: int) -> float:
    """Median letters per second of `rounds` passes of `work` over `items`."""
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for item in items:
            work(item)
        rates.append(len(items) / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--corpus", type=Path, default=ROOT / "tests" / "data" / "corpus" / "dwc-2016-17"
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pdfs = sorted(args.corpus.glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs in {args.corpus}")
    texts = [extract_text(p) for p in pdfs] + [p.read_text() for p in samples_dir().glob("*.txt")]
    rows = [
        ("PDF: extract text (PDFium)", len(pdfs), rate(extract_text, pdfs, args.rounds)),
        (
            "PDF: extract + parse",
            len(pdfs),
            rate(lambda p: parse_text(extract_text(p), str(p)), pdfs, args.rounds),
        ),
        ("text: parse only", len(texts), rate(lambda t: parse_text(t, "x"), texts, args.rounds)),
    ]
    print("| input | letters | letters/s (one core, median) |")
    print("|---|---|---|")
    for name, count, value in rows:
        print(f"| {name} | {count} | {value:,.0f} |")


if __name__ == "__main__":
    main()
