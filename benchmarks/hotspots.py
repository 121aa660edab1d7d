"""Where the time goes: a full build under py-spy, or the query set under cProfile.

    python benchmarks/hotspots.py build LETTERS_DIR   # needs py-spy (pip install py-spy)
    python benchmarks/hotspots.py summary RAW_FILE    # again, from samples kept with --raw
    python benchmarks/hotspots.py query INDEX_DIR

`build` samples `imrsearch index build` and its parser workers and prints the functions with the
most samples, on their own (self) and with what they call (inclusive), per process role.
`query` runs the benchmark's query set in process under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import measure
import queries as qs

_LINE = re.compile(r":\d+\)$")
WORKER_MARK = "_load_chunk"  # a frame only parser worker processes run
SUBWRITER_MARK = "SubWriterTask"  # Whoosh's multiprocess writer, forked by the main process
TRUNK = 0.9  # a frame in this share of a role's samples is its call chain, not a hot spot


def _function(frame: str) -> str:
    """ "name (path/file.py:123)" → "name (path/file.py)": one row per function, not per line."""
    return _LINE.sub(")", frame)


def _role(frames: list[str]) -> str:
    if any(WORKER_MARK in f for f in frames):
        return "parser worker"
    if any(SUBWRITER_MARK in f for f in frames):
        return "whoosh sub-writer"
    return "main"


def summarize(raw: str, top: int) -> str:
    """py-spy's raw (collapsed) stacks as Markdown tables of self and inclusive samples, per
    process role; the inclusive table leaves out the trunk every stack of the role shares."""
    own: dict[str, Counter[str]] = {}
    inclusive: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_function(f) for f in stack.split(";") if not f.startswith("process ")]
        if not frames:
            continue
        samples = int(count)
        role = _role(frames)
        totals[role] += samples
        own.setdefault(role, Counter())[frames[-1]] += samples
        for frame in set(frames):
            inclusive.setdefault(role, Counter())[frame] += samples
    roles = ", ".join(f"{role} {n:,}" for role, n in totals.most_common())
    parts = [f"Samples: {sum(totals.values()):,} ({roles})"]
    for role, total in totals.most_common():
        branches = Counter({f: n for f, n in inclusive[role].items() if n < TRUNK * total})
        for title, counter in (("self", own[role]), ("inclusive", branches)):
            rows = [
                f"| {100 * n / total:.1f}% | `{name}` |" for name, n in counter.most_common(top)
            ]
            parts.append(f"### {role}, {title}")
            parts.append("| share | function |\n|---|---|\n" + "\n".join(rows))
    return "\n\n".join(parts)


def profile_build(letters: Path, rate: int, top: int, raw: Path | None) -> str:
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy not found: pip install py-spy")
    with tempfile.TemporaryDirectory() as work:
        raw = raw or Path(work) / "build.txt"
        index = Path(work) / "index"
        build = [
            *measure.imrsearch_command(),
            "index",
            "build",
            str(letters),
            "--index",
            str(index),
        ]
        cmd = [spy, "record", "--subprocesses", "--rate", str(rate), "--format", "raw"]
        subprocess.run([*cmd, "-o", str(raw), "--", *build], check=True, capture_output=True)
        return summarize(raw.read_text(), top)


def profile_queries(index: Path, repeats: int, top: int) -> str:
    from imrsearch.api import open_searcher

    queries = []
    profiler = cProfile.Profile()
    with open_searcher(index) as searcher:
        for query in qs.query_set(None):  # warm-up, unprofiled; a failing query is left out
            try:
                searcher.search(query.text, **query.search_options())
                queries.append(query)
            except Exception as exc:
                print(f"skipped {query.text}: {type(exc).__name__}: {exc}", file=sys.stderr)
        profiler.enable()
        for _ in range(repeats):
            for query in queries:
                searcher.search(query.text, **query.search_options())
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    for order in ("tottime", "cumulative"):
        out.write(f"\n## by {order}\n")
        stats.sort_stats(order).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    build = sub.add_parser("build", help="py-spy over imrsearch index build")
    build.add_argument("letters", type=Path)
    build.add_argument("--rate", type=int, default=100, help="samples per second")
    build.add_argument("--raw", type=Path, help="keep py-spy's samples in this file")
    again = sub.add_parser("summary", help="summarize samples kept with build --raw")
    again.add_argument("raw", type=Path)
    query = sub.add_parser("query", help="cProfile over the benchmark's query set")
    query.add_argument("index", type=Path)
    query.add_argument("--repeats", type=int, default=3)
    for each in (build, again, query):
        each.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    if args.what == "build":
        print(profile_build(args.letters, args.rate, args.top, args.raw))
    elif args.what == "summary":
        print(summarize(args.raw.read_text(), args.top))
    else:
        print(profile_queries(args.index, args.repeats, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
