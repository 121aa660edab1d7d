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
    )


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
        + f"; files the build could not index: {build['failures']}.",
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
            ["letters changed", "re-read", "wall", "peak RSS, largest process", "fresh build"],
            [
                [
                    f"{update['changed']:,}",
                    f"{update['reread']:,}",
                    f"{update['wall_s']:.1f} s",
                    _mib(update["largest_rss"]),
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
            ["kind", "query", "hits", "expected", "check", "p50 ms", "p95 ms", "runs"],
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
                    r["runs"],
                ]
                for r in queries
            ],
        ),
        "One warm-up run per query, then timed runs (up to the repeat count, fewer once a "
        "query has used its time budget). Expected: decisions the truth says match.",
        "### Phrase search: rg over the raw files vs `imrsearch query --json`",
    ]
    parts += _rg(result["rg"])
    parts += _startup(result["startup"])
    return "\n\n".join(parts) + "\n"


def _rg(rg: dict[str, Any]) -> list[str]:
    if "skipped" in rg:
        return [rg["skipped"]]
    rows = rg["rows"]
    return [
        _table(
            [
                "phrase",
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
                    r["phrase"],
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
        f"Median of {rows[0]['runs']} runs each after a warm-up (page cache warm); both whole "
        "commands. rg: words joined by `\\s+` so a phrase may wrap across lines, e.g. "
        f"`{rows[0]['rg_command']}`. A ratio above 1 means imrsearch answered faster. rg counts "
        "files, the index counts decisions.",
    ]


def _startup(startup: dict[str, Any]) -> list[str]:
    imports = startup["imports"]
    return [
        "### Start-up (`imrsearch query --json` on a 50-letter index)",
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
        "`python -X importtime` of the same command, top-level imports by cumulative time, "
        "and modules by their own time:",
        _table(
            ["top-level import", "cumulative ms", "module", "self ms"],
            [
                [c["module"], _ms(c["us"] / 1000), s["module"], _ms(s["us"] / 1000)]
                for c, s in zip(imports["cumulative"], imports["self"], strict=False)
            ],
        ),
    ]
