"""Whole-command measurements: `imrsearch query` as a user runs it, against `rg -U` over the raw
files, its cold start on the samples index, and the memory of one query process."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import measure
import queries as qs

RG_INSTALL = "apt-get install -y ripgrep"
STARTUP_QUERY = "drug:valium"
# The query whose process memory is compared between the samples index and a big one: a
# design card (selective), and the common phrase with facets (many matches).
RSS_QUERIES = (
    ('outcome:upheld drug:valium "no provision to modify"', ()),
    ('"not medically necessary"', ("outcome", "drug", "class", "year")),
)
RSS_TARGET = 150 * 2**20  # the issue: a query on 100k letters within 150 MB of the samples


def imrsearch(*args: str | Path) -> list[str]:
    return [*measure.imrsearch_command(), *map(str, args)]


def query_args(text: str, index: Path, facets: tuple[str, ...], limit: int) -> list[str]:
    """`imrsearch query --json` arguments; `limit` 0 means every hit (the --json default)."""
    args = ["query", "--json", text, "--index", str(index)]
    if facets:
        args += ["--facet", ",".join(facets)]
    if limit:
        args += ["--limit", str(limit)]
    return args


def compare_rg(
    letters: Path,
    index: Path,
    truth: list[qs.Truth],
    queries: list[qs.Query],
    runs: int,
    budget: float,
    limit: int,
) -> dict[str, Any]:
    """Every query of the set that is one phrase (facets allowed), as `rg -U` (multiline, any
    whitespace between the words) and as the whole `imrsearch query --json` command."""
    rg = shutil.which("rg")
    if rg is None:
        return {"skipped": f"ripgrep (rg) not found: install it with `{RG_INSTALL}`"}
    rows = []
    for query in queries:
        phrase = qs.phrase_of(query)
        if phrase is None:
            continue
        regex = r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b"
        rg_cmd = [rg, "-U", "-c", "-i", "--multiline-dotall", regex, str(letters)]
        found = subprocess.run(rg_cmd, capture_output=True, text=True, check=False).stdout
        counts = [int(line.rsplit(":", 1)[1]) for line in found.splitlines() if line]
        cli_cmd = imrsearch(*query_args(query.text, index, query.facets, limit))
        cli = subprocess.run(cli_cmd, capture_output=True, text=True, check=False)
        rg_times = measure.wall_times(rg_cmd, runs, budget=budget)
        cli_times = measure.wall_times(cli_cmd, runs, budget=budget)
        matching = [t for t in truth if phrase in t.text_phrases]
        rows.append(
            {
                "phrase": phrase,
                "query": query.text,
                "facets": list(query.facets),
                "selective": query.selective,
                "rg_command": shlex.join(rg_cmd),
                "cli_command": shlex.join(cli_cmd),
                "rg_files": len(counts),
                "rg_lines": sum(counts),
                "imrsearch_decisions": json.loads(cli.stdout)["total"] if cli.stdout else 0,
                "truth_decisions": len(matching),
                "truth_letters": len({t.path for t in matching}),
                "rg_ms": measure.median(rg_times) * 1000,
                "cli_ms": measure.median(cli_times) * 1000,
                "ratio": measure.median(rg_times) / measure.median(cli_times),
                "runs": min(len(rg_times), len(cli_times)),
            }
        )
    return {"rows": rows, "limit": limit}


def samples_index(workdir: Path) -> Path:
    """An index of the bundled sample letters, built fresh under `workdir`."""
    from imrsearch.api import samples_dir

    index = workdir / "samples-index"
    shutil.rmtree(index, ignore_errors=True)
    cmd = imrsearch("index", "build", samples_dir(), "--index", index, "--json")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return index


def startup(index: Path, runs: int) -> dict[str, Any]:
    """Cold `imrsearch query --json` on the samples index beside `python -c pass`, and the
    command's slowest imports. The package's bytecode is compiled first, as an installed
    package has it (with PYTHONDONTWRITEBYTECODE set, as on some machines, every run would
    otherwise compile every module from source)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("imrsearch")
    assert spec is not None and spec.origin is not None
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)
    args = ["query", "--json", STARTUP_QUERY, "--index", str(index)]
    query = imrsearch(*args)
    query_times = measure.wall_times(query, runs, least=runs)
    bare = measure.wall_times([sys.executable, "-c", "pass"], runs, least=runs)
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "imrsearch", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "command": shlex.join(query),
        "index": "samples",
        "runs": runs,
        "query_ms": measure.median(query_times) * 1000,
        "query_min_ms": min(query_times) * 1000,
        "python_ms": measure.median(bare) * 1000,
        "bytecode": "compiled first",
        "dont_write_bytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        "imports": parse_importtime(traced.stderr),
    }


def query_rss(index: Path, samples: Path) -> list[dict[str, Any]]:
    """Peak RSS of one `imrsearch query --json --limit 20` process on `index` and on the
    samples index: what an index's size adds to a query's memory."""
    rows = []
    for text, facets in RSS_QUERIES:
        big = measure.peak_rss(query_args(text, index, facets, 20))
        small = measure.peak_rss(query_args(text, samples, facets, 20))
        rows.append(
            {
                "query": text,
                "facets": list(facets),
                "index_rss": big,
                "samples_rss": small,
                "difference": big - small,
                "ok": big - small <= RSS_TARGET,
            }
        )
    return rows


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
