"""Benchmark imrsearch end to end on generated archives, checking answers against the truth.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--quick]

For each size: generate an archive (benchmarks/generate.py), time a full `imrsearch index build`
(letters/s, peak memory, index size), a fixed query set in process (p50/p95, each answer checked
against the generator's truth), the phrase queries against `rg` over the raw files, and an
`imrsearch index update` after 1% of the letters changed (checked against the truth and a fresh
build). Once per run: start-up time of `imrsearch query --json` and its slowest imports.
Writes a Markdown section and raw JSON per size to benchmarks/out/ and prints the Markdown.
Exits 1 if any correctness check failed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import generate
import measure
import queries as qs
import report

HERE = Path(__file__).resolve().parent
STARTUP_QUERY = "drug:valium"
RG_INSTALL = "apt-get install -y ripgrep"


@dataclass(frozen=True)
class Config:
    seed: int
    workdir: Path
    out: Path
    workers: int | None
    repeats: int  # timed runs per query, at most
    min_repeats: int  # timed runs per query, at least
    query_budget: float  # seconds per query after which repeats stop (once min_repeats ran)
    cli_runs: int  # runs of rg and of `imrsearch query` per phrase
    startup_runs: int
    rebuild_check_max: int  # up to this size, a fresh build checks the update's answers
    keep: bool


def _imrsearch(*args: str | Path) -> list[str]:
    return [*measure.imrsearch_command(), *map(str, args)]


def _build_command(letters: Path, index: Path, config: Config, mode: str = "build") -> list[str]:
    workers = ["--workers", str(config.workers)] if config.workers else []
    return _imrsearch("index", mode, letters, "--index", index, "--json", *workers)


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
    return {
        "got": _answer(result, query),
        "p50_ms": measure.median(times) * 1000,
        "p95_ms": measure.percentile(times, 0.95) * 1000,
        "runs": len(times),
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


def compare_rg(letters: Path, index: Path, truth: list[qs.Truth], config: Config) -> dict[str, Any]:
    """The phrase queries by rg (multiline, any whitespace between words) and by the CLI."""
    rg = shutil.which("rg")
    if rg is None:
        return {"skipped": f"ripgrep (rg) not found: install it with `{RG_INSTALL}`"}
    rows = []
    for phrase in qs.PHRASE_QUERIES:
        regex = r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b"
        rg_cmd = [rg, "-U", "-c", "-i", "--multiline-dotall", regex, str(letters)]
        found = subprocess.run(rg_cmd, capture_output=True, text=True, check=False).stdout
        counts = [int(line.rsplit(":", 1)[1]) for line in found.splitlines() if line]
        cli_cmd = _imrsearch("query", "--json", f'"{phrase}"', "--index", index)
        cli = subprocess.run(cli_cmd, capture_output=True, text=True, check=False)
        rg_times = measure.wall_times(rg_cmd, config.cli_runs)
        cli_times = measure.wall_times(cli_cmd, config.cli_runs)
        matching = [t for t in truth if phrase in t.text_phrases]
        rows.append(
            {
                "phrase": phrase,
                "rg_command": shlex.join(rg_cmd),
                "rg_files": len(counts),
                "rg_lines": sum(counts),
                "imrsearch_decisions": json.loads(cli.stdout)["total"] if cli.stdout else 0,
                "truth_decisions": len(matching),
                "truth_letters": len({t.path for t in matching}),
                "rg_ms": measure.median(rg_times) * 1000,
                "cli_ms": measure.median(cli_times) * 1000,
                "ratio": measure.median(rg_times) / measure.median(cli_times),
                "runs": config.cli_runs,
            }
        )
    return {"rows": rows}


def _build_summary(result: measure.Measured, index: Path, raw_bytes: int) -> dict[str, Any]:
    from imrsearch.api import info

    built = json.loads(result.stdout)
    size = info(index).size_bytes
    return {
        "wall_s": result.wall,
        "letters": built["letters"],
        "decisions": built["decisions"],
        "failures": len(built["failures"]),
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
        path.write_text(text, encoding="utf-8")
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


def bench_size(size: int, archive: Path | None, config: Config) -> dict[str, Any]:
    root = config.workdir / f"size-{size}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    if archive is None:
        archive = root / "archive"
        generated = generate.generate(archive, size, config.seed)
    else:
        generated = json.loads((archive / "generator.json").read_text())
    letters_dir = archive / "letters"
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
            "decisions": len(truth),
            "raw_bytes": raw_bytes,
            "generate_s": generated["seconds"],
            "wrapped_phrases": sum(
                len(item["wrapped_phrases"]) for t in truth_letters for item in t["items"]
            ),
        },
        "build": _build_summary(build, index, raw_bytes),
        "queries": time_queries(index, queries, truth, config),
        "rg": compare_rg(letters_dir, index, truth, config),
        "update": bench_update(root, letters_dir, index, truth_letters, queries, config),
    }
    if not config.keep:
        shutil.rmtree(root, ignore_errors=True)
    return result


def bench_startup(config: Config) -> dict[str, Any]:
    """Start-up of `imrsearch query --json` on a 50-letter index, and its slowest imports."""
    root = config.workdir / "startup"
    shutil.rmtree(root, ignore_errors=True)
    generate.generate(root / "archive", 50, config.seed)
    index = root / "index"
    _checked_run(_build_command(root / "archive" / "letters", index, config))
    args = ["query", "--json", STARTUP_QUERY, "--index", str(index)]
    query = _imrsearch(*args)
    query_times = measure.wall_times(query, config.startup_runs)
    bare = measure.wall_times([sys.executable, "-c", "pass"], config.startup_runs)
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "imrsearch", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if not config.keep:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "command": shlex.join(query),
        "runs": config.startup_runs,
        "query_ms": measure.median(query_times) * 1000,
        "query_min_ms": min(query_times) * 1000,
        "python_ms": measure.median(bare) * 1000,
        "imports": parse_importtime(traced.stderr),
    }


def parse_importtime(stderr: str) -> dict[str, list[dict[str, Any]]]:
    """Top-level imports by cumulative time, and any module by its own time (microseconds)."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|", 2)
        depth = len(name) - len(name.lstrip(" "))
        rows.append((int(own), int(cumulative), name.strip(), depth))
    if not rows:
        return {"cumulative": [], "self": []}
    top = min(depth for *_, depth in rows)
    by_cumulative = sorted((r for r in rows if r[3] == top), key=lambda r: -r[1])
    by_self = sorted(rows, key=lambda r: -r[0])
    return {
        "cumulative": [{"module": r[2], "us": r[1]} for r in by_cumulative[:10]],
        "self": [{"module": r[2], "us": r[0]} for r in by_self[:10]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="letters per archive")
    parser.add_argument("--quick", action="store_true", help="one 50-letter archive, few repeats")
    parser.add_argument(
        "--archive",
        type=Path,
        help="use this generate.py output instead of generating (its letters get modified)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/imrsearch-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--workers", type=int, help="passed to imrsearch index build")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per query, at most")
    parser.add_argument("--rebuild-check-max", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="keep archives and indexes")
    args = parser.parse_args(argv)
    quick = args.quick
    config = Config(
        seed=args.seed,
        workdir=args.workdir,
        out=args.out,
        workers=args.workers,
        repeats=3 if quick else args.repeats,
        min_repeats=2 if quick else 5,
        query_budget=1.0 if quick else 10.0,
        cli_runs=2 if quick else 5,
        startup_runs=3 if quick else 15,
        rebuild_check_max=args.rebuild_check_max,
        keep=args.keep,
    )
    if args.archive:
        sizes = [len(generate.read_truth(args.archive))]
    else:
        sizes = [50] if quick else [int(s) for s in args.sizes.split(",")]
    given = sys.argv[1:] if argv is None else argv
    context = {
        "command": shlex.join(["python", "benchmarks/run.py", *given]),
        "machine": measure.machine(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if shutil.which("rg") is None:
        print(f"note: ripgrep (rg) not found, the rg comparison is skipped: {RG_INSTALL}")
    startup = bench_startup(config)
    config.out.mkdir(parents=True, exist_ok=True)
    failed = False
    for size in sizes:
        result = {**context, **bench_size(size, args.archive, config), "startup": startup}
        markdown = report.markdown(result)
        failed |= not report.all_ok(result)
        print(markdown)
        (config.out / f"results-{result['size']}.md").write_text(markdown)
        (config.out / f"results-{result['size']}.json").write_text(json.dumps(result, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
