"""The growth curve: build time, index size, memory and latency over archive sizes, fitted and
projected to the whole DWC archive (two million letters).

    python benchmarks/growth.py benchmarks/out/results-*.json

run.py writes it itself (`benchmarks/out/growth.md` and `growth.json`) when it ran more than one
size; this command makes it from results of separate runs (e.g. one `--archive` run per size).
Each metric gets two least-squares fits, a power law `y = a·n^b` (on logarithms) and a line
`y = c + d·n`; the projection is the power law's, with the line's beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

TARGET_LETTERS = 2_000_000
MiB = 2**20

# (key in `point`, label, unit)
METRICS: tuple[tuple[str, str, str], ...] = (
    ("build_s", "full build, wall", "s"),
    ("build_cpu_s", "full build, CPU of all processes", "s"),
    ("index_mib", "index size", "MiB"),
    ("build_tree_rss_mib", "build peak RSS, process tree", "MiB"),
    ("update_s", "update of 1%, wall", "s"),
    ("update_tree_pss_mib", "update peak PSS, process tree", "MiB"),
    ("query_p50_median_ms", "query p50, median over the set", "ms"),
    ("selective_p95_max_ms", "selective queries, worst p95", "ms"),
    ("any_p95_max_ms", "any query, worst p95", "ms"),
    ("query_rss_mib", "query process peak RSS (design card)", "MiB"),
)

ASSUMPTIONS = (
    "the generated archive's vocabulary stays that of the 137 real letters, so the term "
    "dictionary does not grow with the archive (a real one's does: build time and index size "
    "are lower bounds)",
    "the same machine (2 cores shared with other work) and the same code; a fit over sizes from "
    "one run or several runs of the same commit",
    "the power law holds beyond the largest measured size (by the extrapolation factor shown "
    "below the table)",
    "the index stays in the page cache; at two million letters it may not fit in memory, and "
    "latencies then depend on the disk",
    "one index, no shards: shards would divide per-query work across processes",
)


def point(result: dict[str, Any]) -> dict[str, float | None]:
    """The metrics of one size's result (None where the run did not measure it)."""
    build, update = result["build"], result["update"]
    rows = result["queries"]["queries"]
    p50 = sorted(r["p50_ms"] for r in rows if r.get("runs"))
    selective = [r["p95_ms"] for r in rows if r.get("selective") and r.get("runs")]
    rss = result.get("query_rss") or []
    return {
        "letters": float(result["size"]),
        "build_s": build["wall_s"],
        "build_cpu_s": build.get("cpu_s"),
        "index_mib": build["index_bytes"] / MiB,
        "build_tree_rss_mib": build["tree_rss"] / MiB,
        "update_s": update.get("wall_s"),
        "update_tree_pss_mib": update["tree_pss"] / MiB if "tree_pss" in update else None,
        "query_p50_median_ms": p50[len(p50) // 2] if p50 else None,
        "selective_p95_max_ms": max(selective) if selective else None,
        "any_p95_max_ms": max((r["p95_ms"] for r in rows if r.get("runs")), default=None),
        "query_rss_mib": rss[0]["index_rss"] / MiB if rss else None,
    }


def fit_power(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(a, b) of y = a·x^b by least squares on logarithms."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    b, log_a = _line(lx, ly)
    return math.exp(log_a), b


def fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(c, d) of y = c + d·x by least squares."""
    d, c = _line(xs, ys)
    return c, d


def _line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(slope, intercept); a single point is a line through the origin's level."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    spread = sum((x - mx) ** 2 for x in xs)
    if spread == 0:
        return 0.0, my
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread
    return slope, my - slope * mx


def growth(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Every metric per size, its fits and its projection to TARGET_LETTERS."""
    points = sorted((point(r) for r in results), key=lambda p: p["letters"] or 0)
    fits = {}
    for key, _label, _unit in METRICS:
        pairs = [(p["letters"], p[key]) for p in points if p[key] is not None and p[key] > 0]
        if len(pairs) < 2:
            continue
        xs = [float(x) for x, _ in pairs if x is not None]
        ys = [float(y) for _, y in pairs if y is not None]
        a, b = fit_power(xs, ys)
        c, d = fit_line(xs, ys)
        fits[key] = {
            "points": len(pairs),
            "power": {"a": a, "b": b, "at_target": a * TARGET_LETTERS**b},
            "linear": {"c": c, "d": d, "at_target": c + d * TARGET_LETTERS},
        }
    largest = max((p["letters"] or 0 for p in points), default=0)
    return {
        "target_letters": TARGET_LETTERS,
        "points": points,
        "fits": fits,
        "extrapolation": TARGET_LETTERS / largest if largest else None,
        "assumptions": list(ASSUMPTIONS),
    }


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    return f"{text} {unit}".strip()


def markdown(data: dict[str, Any]) -> str:
    points, fits = data["points"], data["fits"]
    sizes = [f"{int(p['letters']):,}" for p in points]
    head = ["metric", *sizes, "power law b", f"{data['target_letters']:,} (power)", "(linear)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, unit in METRICS:
        fit = fits.get(key)
        cells = [label, *(_num(p[key], unit) for p in points)]
        if fit:
            cells += [
                f"{fit['power']['b']:.2f}",
                _num(fit["power"]["at_target"], unit),
                _num(fit["linear"]["at_target"], unit),
            ]
        else:
            cells += ["—", "—", "—"]
        lines.append("| " + " | ".join(cells) + " |")
    factor = data["extrapolation"]
    parts = [
        f"## Growth curve and projection to {data['target_letters']:,} letters",
        "\n".join(lines),
        "Fits: least squares over the sizes above, a power law `y = a·n^b` on logarithms (b = 1 "
        "is linear growth, b < 1 slower) and a line `y = c + d·n`; the projection is read off "
        "each. "
        + (f"Extrapolation factor beyond the largest size: {factor:.1f}×." if factor else ""),
        "Assumptions:\n\n" + "\n".join(f"- {a}" for a in data["assumptions"]),
    ]
    return "\n\n".join(parts) + "\n"


def write(results: list[dict[str, Any]], out: Path) -> str:
    data = growth(results)
    text = markdown(data)
    out.mkdir(parents=True, exist_ok=True)
    (out / "growth.md").write_text(text)
    (out / "growth.json").write_text(json.dumps(data, indent=1))
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="results-<size>.json files")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = parser.parse_args(argv)
    results = [json.loads(p.read_text()) for p in args.results]
    print(write(results, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
