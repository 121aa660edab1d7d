"""Benchmark imrsearch end to end on generated archives, checking answers against the truth.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--quick] [--archive DIR ...]

For each size: generate an archive (benchmarks/generate.py) or take a generated one, time a full
`imrsearch index build` (letters/s, peak memory, index size), a fixed query set in process
(p50/p95 flagged against the targets, each answer checked against the generator's truth), the
phrase queries as whole commands against `rg -U` over the raw files, the peak RSS of a query
process on this index against the samples index, and an `imrsearch index update` after 1% of
the letters changed (checked against the truth and a fresh build). Once per run: the cold start
of `imrsearch query --json` on the samples index and its slowest imports. Writes a Markdown
section and raw JSON per size to benchmarks/out/, and the growth curve with its projection to
two million letters when more than one size ran. Exits 1 if any correctness check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import commands
import generate
import growth
import measure
import queries as qs
import report

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Config:
    seed: int
    workdir: Path
    out: Path
    workers: int | None
    shards: str | None  # passed to imrsearch index build (an update keeps it)
    repeats: int  # timed runs per query, at most
    min_repeats: int  # timed runs per query, at least
    query_budget: float  # seconds per query after which repeats stop (once min_repeats ran)
    cli_runs: int  # runs of rg and of `imrsearch query` per phrase, at most
    cli_budget: float  # seconds per command after which its runs stop (once 3 ran)
    cli_limit: int  # --limit of `imrsearch query --json` against rg (0: every hit)
    startup_runs: int
    rebuild_check_max: int  # up to this size, a fresh build checks the update's answers
    keep: bool


def _build_command(letters: Path, index: Path, config: Config, mode: str = "build") -> list[str]:
    options = ["--workers", str(config.workers)] if config.workers else []
    if config.shards and mode == "build":
        options += ["--shards", config.shards]
    return commands.imrsearch("index", mode, letters, "--index", index, "--json", *options)


def _checked_run(cmd: list[str]) -> measure.Measured:
    result = measure.run(cmd)
    if result.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} failed ({result.returncode}):\n{result.stderr}")
    return result


def _outcome_facet(result) -> dict[str, int]:
    for facet in result.facets:
        if facet.name == "outcome":
            return {v.value: v.count for v in facet.values}
    return {}


def _answer(result, query: qs.Query) -> dict[str, Any]:
    got: dict[str, Any] = {"total": result.total}
    if "outcome" in query.facets:
        got["outcome_facet"] = _outcome_facet(result)
    return got


def _time_query(searcher, query: qs.Query, config: Config) -> dict[str, Any]:
    """One warm-up search, then timed repeats; the answer of the warm-up."""
    options = query.search_options()
    result = searcher.search(query.text, **options)
    times: list[float] = []
    while len(times) < config.repeats and (
        len(times) < config.min_repeats or sum(times) < config.query_budget
    ):
        started = time.perf_counter()
        searcher.search(query.text, **options)
        times.append(time.perf_counter() - started)
    p95 = measure.percentile(times, 0.95) * 1000
    target = qs.SELECTIVE_P95_MS if query.selective else qs.ANY_P95_MS
    return {
        "got": _answer(result, query),
        "p50_ms": measure.median(times) * 1000,
        "p95_ms": p95,
        "runs": len(times),
        "target_ms": target,
        "on_target": p95 < target,
    }


def time_queries(
    index: Path, queries: list[qs.Query], truth: list[qs.Truth], config: Config
) -> dict[str, Any]:
    """Open a searcher, then time every query and check its answer."""
    from imrsearch.api import open_searcher

    started = time.perf_counter()
    searcher = open_searcher(index)
    opened = time.perf_counter() - started
    rows = []
    with searcher:
        for query in queries:
            row: dict[str, Any] = {
                "kind": query.kind,
                "query": query.text,
                "facets": list(query.facets),
                "sort": query.sort,
                "selective": query.selective,
                "expected": qs.expected(query, truth),
            }
            try:
                row.update(_time_query(searcher, query, config))
                row["ok"] = None if row["expected"] is None else row["got"] == row["expected"]
            except Exception as exc:  # a broken query is reported, the others still run
                error = f"{type(exc).__name__}: {exc}"
                row.update(got=None, error=error, ok=False, p50_ms=0, p95_ms=0, runs=0)
            rows.append(row)
    return {"open_ms": opened * 1000, "queries": rows}


def answers(index: Path, queries: list[qs.Query]) -> list[dict[str, Any]]:
    """Each query's answer (total, outcome facet), for comparing two indexes."""
    from imrsearch.api import open_searcher

    out = []
    with open_searcher(index) as searcher:
        for query in queries:
            try:
                out.append(_answer(searcher.search(query.text, **query.search_options()), query))
            except Exception as exc:  # the same failure on both indexes compares equal
                out.append({"error": type(exc).__name__})
    return out


def _build_summary(result: measure.Measured, index: Path, raw_bytes: int) -> dict[str, Any]:
    from imrsearch.api import info

    built = json.loads(result.stdout)
    size = info(index).size_bytes
    return {
        "wall_s": result.wall,
        "cpu_s": result.cpu,
        "letters": built["letters"],
        "decisions": built["decisions"],
        "failures": len(built["failures"]),
        "duplicates": len(built["duplicates"]),
        "warnings": built["warnings"],
        "letters_per_s": built["letters"] / result.wall,
        "largest_rss": result.largest_rss,
        "tree_rss": result.tree_rss,
        "tree_pss": result.tree_pss,
        "index_bytes": size,
        "index_to_raw": size / raw_bytes,
    }


def bench_update(
    root: Path,
    letters_dir: Path,
    index: Path,
    truth_letters: list[dict[str, Any]],
    queries: list[qs.Query],
    config: Config,
) -> dict[str, Any]:
    """Flip the first outcome of 1% of the letters, update, and check the answers."""
    rng = random.Random(config.seed)
    changed = rng.sample(range(len(truth_letters)), max(1, round(len(truth_letters) / 100)))
    for i in changed:
        path = letters_dir / truth_letters[i]["path"]
        text, outcome = generate.flip_first_outcome(path.read_text(encoding="utf-8"))
        # A new file in place of the old: the letters may be hard links to a kept archive.
        fresh = path.with_name(path.name + ".new")
        fresh.write_text(text, encoding="utf-8")
        os.replace(fresh, path)
        truth_letters[i]["items"][0]["outcome"] = outcome
    result = measure.run(_build_command(letters_dir, index, config, mode="update"))
    if result.returncode != 0:
        return {"changed": len(changed), "error": result.stderr[-2000:]}
    updated = json.loads(result.stdout)
    got = answers(index, queries)
    truth = qs.decisions(truth_letters)
    mismatched_truth = [
        q.text
        for q, g in zip(queries, got, strict=True)
        if (want := qs.expected(q, truth)) is not None and g != want
    ]
    out: dict[str, Any] = {
        "changed": len(changed),
        "wall_s": result.wall,
        "cpu_s": result.cpu,
        "reread": updated["added"],
        "largest_rss": result.largest_rss,
        "tree_pss": result.tree_pss,
        "truth_checked": sum(q.expect is not None for q in queries),
        "truth_mismatches": mismatched_truth,
    }
    if len(truth_letters) <= config.rebuild_check_max:
        fresh = root / "index-fresh"
        rebuilt = _checked_run(_build_command(letters_dir, fresh, config))
        fresh_got = answers(fresh, queries)
        out["fresh_build_s"] = rebuilt.wall
        out["fresh_checked"] = len(queries)
        out["fresh_mismatches"] = [
            q.text for q, a, b in zip(queries, got, fresh_got, strict=True) if a != b
        ]
    return out


def _portable(text: str, config: Config) -> str:
    """Results without this machine's paths: the work folder as WORKDIR, the interpreter's
    folder and this checkout left out (`imrsearch`, `benchmarks/run.py` as typed)."""
    here = str(HERE.parent) + "/"
    bin_dir = str(Path(sys.executable).parent) + "/"
    for path, neutral in ((str(config.workdir), "WORKDIR"), (bin_dir, ""), (here, "")):
        text = text.replace(json.dumps(path)[1:-1], neutral).replace(path, neutral)
    return text


def bench_size(size: int, archive: Path | None, samples: Path, config: Config) -> dict[str, Any]:
    root = config.workdir / f"size-{size}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    if archive is None:
        archive = root / "archive"
        generated = generate.generate(archive, size, config.seed)
        letters_dir = archive / "letters"
    else:
        generated = json.loads((archive / "generator.json").read_text())
        # Hard links: no copy of the text, and the update's changes stay out of the archive.
        letters_dir = root / "letters"
        shutil.copytree(archive / "letters", letters_dir, copy_function=os.link)
    truth_letters = generate.read_truth(archive)
    truth = qs.decisions(truth_letters)
    raw_bytes = measure.tree_size(letters_dir)
    index = root / "index"
    build = _checked_run(_build_command(letters_dir, index, config))
    sample_case = next((t["case_number"] for t in truth_letters if t["case_number"]), None)
    queries = qs.query_set(sample_case)
    result: dict[str, Any] = {
        "size": len(truth_letters),
        "archive": {
            "letters": len(truth_letters),
            "distinct_letters": len({t["identity"] for t in truth_letters}),
            "decisions": len(truth),
            "raw_bytes": raw_bytes,
            "generate_s": generated["seconds"],
            "wrapped_phrases": sum(
                len(item["wrapped_phrases"]) for t in truth_letters for item in t["items"]
            ),
        },
        "build": _build_summary(build, index, raw_bytes),
        "queries": time_queries(index, queries, truth, config),
        "rg": commands.compare_rg(
            letters_dir,
            index,
            truth,
            queries,
            config.cli_runs,
            config.cli_budget,
            config.cli_limit,
        ),
        "query_rss": commands.query_rss(index, samples),
        "update": bench_update(root, letters_dir, index, truth_letters, queries, config),
    }
    if not config.keep:
        shutil.rmtree(root, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="letters per archive")
    parser.add_argument("--quick", action="store_true", help="one 50-letter archive, few repeats")
    parser.add_argument(
        "--archive",
        type=Path,
        action="append",
        help="use this generate.py output instead of generating (repeatable; it is not "
        "changed: the run works on hard links to its letters)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/imrsearch-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--workers", type=int, help="passed to imrsearch index build")
    parser.add_argument("--shards", choices=["year"], help="passed to imrsearch index build")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per query, at most")
    parser.add_argument(
        "--cli-runs", type=int, default=5, help="runs of each whole command vs rg, at most"
    )
    parser.add_argument(
        "--cli-budget",
        type=float,
        default=30.0,
        help="seconds per whole command after which its runs stop (at least 3 run)",
    )
    parser.add_argument(
        "--cli-limit",
        type=int,
        default=20,
        help="--limit of `imrsearch query --json` against rg (0: every hit, the --json default)",
    )
    parser.add_argument("--rebuild-check-max", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="keep archives and indexes")
    args = parser.parse_args(argv)
    quick = args.quick
    config = Config(
        seed=args.seed,
        workdir=args.workdir,
        out=args.out,
        workers=args.workers,
        shards=args.shards,
        repeats=3 if quick else args.repeats,
        min_repeats=2 if quick else 5,
        query_budget=1.0 if quick else 10.0,
        cli_runs=2 if quick else args.cli_runs,
        cli_budget=2.0 if quick else args.cli_budget,
        cli_limit=args.cli_limit,
        startup_runs=3 if quick else 15,
        rebuild_check_max=args.rebuild_check_max,
        keep=args.keep,
    )
    archives: list[Path | None]
    if args.archive:
        archives = list(args.archive)
        sizes = [len(generate.read_truth(a)) for a in args.archive]
    else:
        sizes = [50] if quick else [int(s) for s in args.sizes.split(",")]
        archives = [None] * len(sizes)
    given = sys.argv[1:] if argv is None else argv
    context = {
        "command": shlex.join(["python", "benchmarks/run.py", *given]),
        "machine": measure.machine(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if shutil.which("rg") is None:
        print(f"note: ripgrep (rg) not found, the rg comparison is skipped: {commands.RG_INSTALL}")
    config.workdir.mkdir(parents=True, exist_ok=True)
    samples = commands.samples_index(config.workdir)
    startup = commands.startup(samples, config.startup_runs)
    config.out.mkdir(parents=True, exist_ok=True)
    failed = False
    results = []
    for size, archive in zip(sizes, archives, strict=True):
        result = {**context, **bench_size(size, archive, samples, config), "startup": startup}
        markdown = _portable(report.markdown(result), config)
        failed |= not report.all_ok(result)
        print(markdown)
        (config.out / f"results-{result['size']}.md").write_text(markdown)
        raw = _portable(json.dumps(result, indent=1), config)
        (config.out / f"results-{result['size']}.json").write_text(raw)
        results.append(result)
    if len(results) > 1:
        print(growth.write(results, config.out))
    if not config.keep:
        shutil.rmtree(samples, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
