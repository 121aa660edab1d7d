"""One size's benchmark result (the dict run.py saves as JSON) as a Markdown section."""

from __future__ import annotations

from typing import Any

MiB = 2**20


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _mib(value: int) -> str:
    return f"{value / MiB:,.0f} MiB" if value >= 10 * MiB else f"{value / MiB:,.1f} MiB"


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else "ok" if ok else "**FAIL**"


def _answer(answer: dict[str, Any] | None) -> str:
    if answer is None:
        return "—"
    if "error" in answer:
        return f"error: {answer['error']}"
    text = f"{answer['total']:,}"
    if "outcome_facet" in answer:
        facet = answer["outcome_facet"]
        text += " (" + ", ".join(f"{k} {v:,}" for k, v in sorted(facet.items())) + ")"
    return text


def all_ok(result: dict[str, Any]) -> bool:
    """Every computable answer right, and the update answering as the truth and a fresh build."""
    update = result["update"]
    return (
        "error" not in update
        and all(row["ok"] is not False for row in result["queries"]["queries"])
        and not update["truth_mismatches"]
        and not update.get("fresh_mismatches")
        and result["build"]["failures"] == 0
        and _letters_as_truth(result)
    )


def _letters_as_truth(result: dict[str, Any]) -> bool:
    """The build indexed every letter of the archive (the generator makes each distinct)."""
    return result["build"]["letters"] == result["archive"]["distinct_letters"]


def _update_checks(update: dict[str, Any]) -> str:
    if "error" in update:
        return "**the update failed**"
    text = (
        f"update vs truth: {update['truth_checked'] - len(update['truth_mismatches'])}/"
        f"{update['truth_checked']}"
    )
    if "fresh_checked" not in update:
        return text + "; update vs fresh build: not run at this size"
    same = update["fresh_checked"] - len(update["fresh_mismatches"])
    return text + f"; update vs fresh build: {same}/{update['fresh_checked']}"


def _kinds(rows: list[dict[str, Any]]) -> list[list[Any]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(row)
    out = []
    for kind, group in kinds.items():
        p50 = sorted(r["p50_ms"] for r in group)
        out.append(
            [
                kind,
                len(group),
                _ms(p50[len(p50) // 2]),
                _ms(max(p50)),
                _ms(max(r["p95_ms"] for r in group)),
            ]
        )
    return out


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    archive, build, update = result["archive"], result["build"], result["update"]
    queries = result["queries"]["queries"]
    checked = [r for r in queries if r["ok"] is not None]
    passed = sum(r["ok"] for r in checked)
    parts = [
        f"## imrsearch benchmark: {result['size']:,} letters",
        f"Command: `{result['command']}` ({result['date']})  \n"
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['memory_gib']} GiB; "
        f"Python {m['python']}, {m['platform']}; imrsearch {m['imrsearch']} "
        f"({m['imrsearch_code']}), "
        f"whoosh-reloaded {m['whoosh']}, {m['ripgrep']}",
        "### Correctness",
        f"{'All checks passed' if all_ok(result) else '**Some checks FAILED**'}: "
        f"{passed}/{len(checked)} query answers match the generator's truth; "
        + _update_checks(update)
        + f"; files the build could not index: {build['failures']}; letters indexed "
        f"{build['letters']:,} of {archive['distinct_letters']:,} distinct "
        f"({'ok' if _letters_as_truth(result) else '**FAIL**'}; "
        f"{build['duplicates']:,} files reported as copies of another).",
        "### Archive",
        _table(
            ["letters", "decisions", "raw text", "phrases wrapped across lines", "generated in"],
            [
                [
                    f"{archive['letters']:,}",
                    f"{archive['decisions']:,}",
                    _mib(archive["raw_bytes"]),
                    f"{archive['wrapped_phrases']:,}",
                    f"{archive['generate_s']:.1f} s",
                ]
            ],
        ),
        "### Full build (`imrsearch index build`, subprocess, end to end)",
        _table(
            [
                "wall",
                "CPU (all processes)",
                "letters/s",
                "peak RSS, largest process",
                "peak RSS, tree sum",
                "peak PSS, tree sum",
                "index size",
                "index / raw",
            ],
            [
                [
                    f"{build['wall_s']:.1f} s",
                    f"{build.get('cpu_s', 0):.1f} s",
                    f"{build['letters_per_s']:,.0f}",
                    _mib(build["largest_rss"]),
                    _mib(build["tree_rss"]),
                    _mib(build["tree_pss"]),
                    _mib(build["index_bytes"]),
                    f"{build['index_to_raw']:.2f}",
                ]
            ],
        ),
        "Largest process: `wait4` ru_maxrss of the build and its reaped workers (one process). "
        "Tree sums: /proc sampled every 100 ms, all processes of the tree added (RSS counts "
        "shared pages in each process, PSS splits them).",
        "### Incremental update (first outcome flipped in 1% of letters)",
        f"**The update failed:**\n\n```\n{update['error']}\n```"
        if "error" in update
        else _table(
            [
                "letters changed",
                "re-read",
                "wall",
                "share of the build",
                "peak RSS, largest process",
                "peak PSS, tree sum",
                "fresh build",
            ],
            [
                [
                    f"{update['changed']:,}",
                    f"{update['reread']:,}",
                    f"{update['wall_s']:.1f} s",
                    f"{update['wall_s'] / build['wall_s']:.1%}",
                    _mib(update["largest_rss"]),
                    _mib(update["tree_pss"]),
                    f"{update['fresh_build_s']:.1f} s" if "fresh_build_s" in update else "—",
                ]
            ],
        ),
        f"### Queries (in process, `open_searcher(index).search(q, limit=20)`; "
        f"index opened in {result['queries']['open_ms']:.0f} ms)",
        _table(
            ["kind", "queries", "median p50 ms", "max p50 ms", "max p95 ms"],
            _kinds(queries),
        ),
        _table(
            ["kind", "query", "hits", "expected", "check", "p50 ms", "p95 ms", "target", "runs"],
            [
                [
                    r["kind"],
                    f"`{r['query']}`"
                    + (f" facets {','.join(r['facets'])}" if r["facets"] else "")
                    + (f" sort {r['sort']}" if r["sort"] != "relevance" else ""),
                    _answer(r["got"]) if "error" not in r else f"error: {r['error']}",
                    _answer(r["expected"]),
                    _mark(r["ok"]),
                    _ms(r["p50_ms"]),
                    _ms(r["p95_ms"]),
                    _target(r),
                    r["runs"],
                ]
                for r in queries
            ],
        ),
        "One warm-up run per query, then timed runs (up to the repeat count, fewer once a "
        "query has used its time budget). Expected: decisions the truth says match. Target: "
        "p95 under 150 ms for the selective queries (design cards, rare and mid phrases, "
        "fielded terms, date sorts), under 1 s for the others.",
        "### Phrase search: rg over the raw files vs `imrsearch query --json`",
    ]
    parts += _rg(result["rg"])
    parts += _rss(result.get("query_rss", []))
    parts += _startup(result["startup"])
    parts += _targets(result)
    return "\n\n".join(parts) + "\n"


def _target(row: dict[str, Any]) -> str:
    if "on_target" not in row:
        return "—"
    limit = f"< {row['target_ms']:,.0f} ms"
    return limit if row["on_target"] else f"**MISS** {limit}"


def _rss(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    return [
        "### Memory of one query process: this index vs the samples index",
        _table(
            ["query", "this index", "samples index", "difference", "within 150 MB"],
            [
                [
                    f"`{r['query']}`" + (f" facets {','.join(r['facets'])}" if r["facets"] else ""),
                    _mib(r["index_rss"]),
                    _mib(r["samples_rss"]),
                    _mib(r["difference"]),
                    "yes" if r["ok"] else "**no**",
                ]
                for r in rows
            ],
        ),
        "Peak RSS (VmHWM, read by the process at exit) of `imrsearch query --json --limit 20`, "
        "one cold process each.",
    ]


def _targets(result: dict[str, Any]) -> list[str]:
    """The issue's targets as this run measured them (each applies at the size it names)."""
    rows = result["queries"]["queries"]
    selective = [r for r in rows if r.get("selective") and r.get("runs")]
    timed = [r for r in rows if r.get("runs")]
    build, update, startup = result["build"], result["update"], result["startup"]
    lines = [
        f"selective queries with p95 < 150 ms (100k target): "
        f"{sum(r['p95_ms'] < 150 for r in selective)}/{len(selective)}",
        f"queries with p95 < 1 s (100k target): "
        f"{sum(r['p95_ms'] < 1000 for r in timed)}/{len(timed)}",
    ]
    rg = result["rg"].get("rows", [])
    if rg:
        chosen = [r for r in rg if r["selective"]]
        lines += [
            f"whole command faster than `rg -U` (10k and 100k target): "
            f"{sum(r['ratio'] > 1 for r in rg)}/{len(rg)} phrase queries",
            f"whole command at least 5× faster than `rg -U` on selective phrases (100k target): "
            f"{sum(r['ratio'] >= 5 for r in chosen)}/{len(chosen)}",
        ]
    lines.append(
        f"cold `imrsearch query` on the samples index < 100 ms median: "
        f"{_ms(startup['query_ms'])} ms (python -c pass {_ms(startup['python_ms'])} ms)"
    )
    for r in result.get("query_rss", []):
        lines.append(
            f"query RSS within 150 MB of the samples index: {_mib(r['difference'])} more "
            f"for `{r['query']}`"
        )
    lines.append(
        f"build (100k: < 15 min, tree < 1 GB): {build['wall_s'] / 60:.1f} min, tree RSS "
        f"{_mib(build['tree_rss'])}"
    )
    if "wall_s" in update:
        lines.append(
            f"update of 1% (< 5% of the build, < 1 GB): "
            f"{update['wall_s'] / build['wall_s']:.1%}, tree PSS {_mib(update['tree_pss'])}"
        )
    return ["### Against the targets", "\n".join(f"- {line}" for line in lines)]


def _rg(rg: dict[str, Any]) -> list[str]:
    if "skipped" in rg:
        return [rg["skipped"]]
    rows = rg["rows"]
    return [
        _table(
            [
                "query",
                "selective",
                "rg files",
                "truth letters",
                "imrsearch decisions",
                "truth decisions",
                "rg ms",
                "imrsearch ms",
                "rg / imrsearch",
            ],
            [
                [
                    f"`{r.get('query', r['phrase'])}`"
                    + (f" facets {','.join(r['facets'])}" if r.get("facets") else ""),
                    "yes" if r.get("selective") else "no",
                    f"{r['rg_files']:,}",
                    f"{r['truth_letters']:,}",
                    f"{r['imrsearch_decisions']:,}",
                    f"{r['truth_decisions']:,}",
                    _ms(r["rg_ms"]),
                    _ms(r["cli_ms"]),
                    f"{r['ratio']:.2f}",
                ]
                for r in rows
            ],
        ),
        f"Median of up to {max(r['runs'] for r in rows)} runs each after a warm-up (page cache "
        "warm; fewer once a command used its time budget); both whole commands. rg: words joined "
        f"by `\\s+` so a phrase may wrap across lines, e.g. `{rows[0]['rg_command']}`; "
        f"imrsearch: e.g. `{rows[0].get('cli_command', 'imrsearch query --json')}`. A ratio "
        "above 1 means imrsearch answered faster. rg counts files, the index counts decisions.",
    ]


def _startup(startup: dict[str, Any]) -> list[str]:
    imports = startup["imports"]
    return [
        f"### Start-up (`imrsearch query --json` on the {startup.get('index', '50-letter')} index)",
        _table(
            ["command", "median ms", "min ms", "runs"],
            [
                [
                    f"`{startup['command']}`",
                    _ms(startup["query_ms"]),
                    _ms(startup["query_min_ms"]),
                    startup["runs"],
                ],
                ["`python -c pass`", _ms(startup["python_ms"]), "", startup["runs"]],
            ],
        ),
        "Bytecode compiled first, as an installed package has it"
        + (
            " (this environment sets PYTHONDONTWRITEBYTECODE)."
            if startup.get("dont_write_bytecode")
            else "."
        )
        + " `python -X importtime` of the same command, top-level imports by cumulative time, "
        "and modules by their own time:",
        _table(
            ["top-level import", "cumulative ms", "module", "self ms"],
            [
                [c["module"], _ms(c["us"] / 1000), s["module"], _ms(s["us"] / 1000)]
                for c, s in zip(imports["cumulative"], imports["self"], strict=False)
            ],
        ),
    ]
