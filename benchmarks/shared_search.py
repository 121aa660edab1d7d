"""A search shared with a worker process against the same search in one process.

    python benchmarks/shared_search.py INDEX [--runs 9] [--one-search-runs 9]

INDEX is an index kept by `run.py --keep` (its letters from `generate.py`). Two measurements,
alternating the two ways run by run so that a noisy machine hurts both alike:

- a long-running process (the TUI): one searcher of each kind opened once, the second with a
  worker started as the TUI starts it; the median milliseconds of each query of the fixed set
  (`queries.py`), and their ratio;
- a command: a fresh process that opens the index and runs one search, alone or with a worker
  forked once the index is open; the median wall time of the process, and the ratio.

Every shared answer (total, hits, scores, facets) is compared with the one-process answer;
a difference stops the run.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import queries as qs

# The command measurement: the common phrase (most matches), it with facets, and selective ones.
COMMAND_QUERIES = [
    qs.Query("common phrase", '"not medically necessary"'),
    qs.Query("common phrase", '"not medically necessary"', facets=("outcome", "drug", "class")),
    qs.Query("design card", f'outcome:upheld drug:valium "{qs.NPM}"'),
    qs.Query("fielded", "class:opioid outcome:overturned"),
]


def _answer(searcher, query: qs.Query) -> tuple:
    found = searcher.search(query.text, **query.search_options())
    return found.total, [(h.path, h.item, h.score) for h in found.hits], found.facets


def _timed(searcher, query: qs.Query) -> float:
    started = time.perf_counter()
    searcher.search(query.text, **query.search_options())
    return (time.perf_counter() - started) * 1000


def long_running(index: Path, runs: int) -> list[tuple[qs.Query, float, float]]:
    from imrsearch.api import open_searcher

    rows = []
    with open_searcher(index) as one, open_searcher(index, workers=1) as shared:
        for query in qs.query_set(None):
            if _answer(shared, query) != _answer(one, query):
                raise SystemExit(f"the shared answer differs: {query.text}")
            alone, both = [], []
            for _ in range(runs):
                alone.append(_timed(one, query))
                both.append(_timed(shared, query))
            rows.append((query, statistics.median(alone), statistics.median(both)))
    return rows


def one_search(index: Path, text: str, facets: str, fork: bool) -> None:
    """The command measured: open, search once (with a forked worker or not), print."""
    from imrsearch.api import open_searcher

    with open_searcher(index, workers=1 if fork else 0, fork=fork) as searcher:
        found = searcher.search(text, limit=20, facets=tuple(f for f in facets.split(",") if f))
        print(found.total, [h.score for h in found.hits][:3])


def _command(index: Path, query: qs.Query, fork: bool) -> list[str]:
    way = ["--fork"] if fork else []
    facets = ",".join(query.facets)
    return [sys.executable, __file__, str(index), "--one-search", query.text, facets, *way]


def commands(index: Path, runs: int) -> list[tuple[qs.Query, float, float]]:
    rows = []
    for query in COMMAND_QUERIES:
        walls: dict[bool, list[float]] = {False: [], True: []}
        outputs: dict[bool, str] = {}
        for _ in range(runs):
            for fork in (False, True):
                started = time.perf_counter()
                done = subprocess.run(
                    _command(index, query, fork), capture_output=True, text=True, check=True
                )
                walls[fork].append((time.perf_counter() - started) * 1000)
                outputs[fork] = done.stdout
        if outputs[False] != outputs[True]:
            raise SystemExit(f"the forked command's answer differs: {query.text}")
        rows.append((query, statistics.median(walls[False]), statistics.median(walls[True])))
    return rows


def _label(query: qs.Query) -> str:
    facets = f" + facets {','.join(query.facets)}" if query.facets else ""
    sort = " (by date)" if query.sort == "date" else ""
    return f"`{query.text}`{facets}{sort}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--runs", type=int, default=9, help="timed searches of each query")
    parser.add_argument("--one-search-runs", type=int, default=9, help="commands per query")
    parser.add_argument(
        "--one-search", nargs=2, metavar=("QUERY", "FACETS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--fork", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_search:
        one_search(args.index, *args.one_search, args.fork)
        return
    print(f"command: python benchmarks/shared_search.py INDEX {shlex.join(sys.argv[2:])}\n")
    from imrsearch.engine.search import SHARED_FROM, Searcher
    from imrsearch.engine.store import IndexStore

    with Searcher(IndexStore(args.index)) as opened:
        sizes = opened._sizes
    print(
        f"The index: {sum(sizes):,} documents in {len(sizes)} segments; a search is shared"
        f" from {SHARED_FROM:,} documents and 2 segments.\n"
    )
    print("A long-running process, one searcher of each kind (median ms of each query):\n")
    print("| kind | query | one process | with a worker | ratio |")
    print("|---|---|---:|---:|---:|")
    for query, alone, both in long_running(args.index, args.runs):
        print(f"| {query.kind} | {_label(query)} | {alone:.1f} | {both:.1f} | {alone / both:.2f} |")
    print("\nA command: open, one search (median ms of the whole process):\n")
    print("| query | alone | with a forked worker | ratio |")
    print("|---|---:|---:|---:|")
    for query, alone, both in commands(args.index, args.one_search_runs):
        print(f"| {_label(query)} | {alone:.0f} | {both:.0f} | {alone / both:.2f} |")


if __name__ == "__main__":
    main()
