"""The benchmark runs end to end on 50 generated letters, and every answer it checks is right."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # The quick run takes about 20 s; the bound leaves room for a loaded machine.
    return subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, timeout=600
    )


def test_generator_is_deterministic_and_writes_truth(tmp_path: Path) -> None:
    for name in ("a", "b"):
        done = _run(BENCHMARKS / "generate.py", tmp_path / name, "--letters", "20", "--seed", "7")
        assert done.returncode == 0, done.stderr
    truth = (tmp_path / "a" / "truth.jsonl").read_text()
    assert truth == (tmp_path / "b" / "truth.jsonl").read_text()
    letters = [json.loads(line) for line in truth.splitlines()]
    assert len(letters) == 20
    for letter in letters:
        text = (tmp_path / "a" / "letters" / letter["path"]).read_text()
        assert text == (tmp_path / "b" / "letters" / letter["path"]).read_text()
        assert letter["items"] and all(
            i["outcome"] in ("upheld", "overturned") for i in letter["items"]
        )


def test_quick_benchmark_passes_its_checks(tmp_path: Path) -> None:
    archive, out = tmp_path / "archive", tmp_path / "out"
    done = _run(BENCHMARKS / "generate.py", archive, "--letters", "50", "--seed", "3")
    assert done.returncode == 0, done.stderr
    before = {p: p.read_bytes() for p in (archive / "letters").rglob("*.txt")}
    done = _run(
        BENCHMARKS / "run.py",
        "--quick",
        "--archive",
        archive,
        "--out",
        out,
        "--workdir",
        tmp_path / "work",
    )
    markdown = (out / "results-50.md").read_text()
    result = json.loads((out / "results-50.json").read_text())
    rows = result["queries"]["queries"]
    failed = [
        (r["query"], r.get("error") or r["got"], r["expected"]) for r in rows if r["ok"] is False
    ]
    assert done.returncode == 0, (failed, result["update"], done.stderr[-2000:])
    for heading in (
        "### Correctness",
        "### Full build",
        "### Incremental update",
        "### Queries",
        "### Phrase search",
        "### Memory of one query process",
        "### Start-up",
        "### Against the targets",
    ):
        assert heading in markdown
    assert "All checks passed" in markdown
    assert len(rows) >= 30
    assert sum(r["ok"] is True for r in rows) >= 20
    assert not result["update"]["truth_mismatches"]
    assert result["update"]["fresh_mismatches"] == []
    assert result["build"]["letters"] == result["archive"]["distinct_letters"] == 50
    # The update changed the run's links, not the kept archive.
    assert result["update"]["changed"] >= 1
    assert {p: p.read_bytes() for p in (archive / "letters").rglob("*.txt")} == before
    assert all(r["runs"] >= 1 and r["rg_ms"] > 0 for r in result["rg"].get("rows", []))
    assert all(r["index_rss"] > 10 * 2**20 for r in result["query_rss"])
    assert result["startup"]["index"] == "samples"
    selective = {r["query"] for r in rows if r["selective"]}
    assert 'outcome:upheld drug:valium "no provision to modify"' in selective
    assert '"not medically necessary"' not in selective


def test_generator_draws_a_copy_of_an_earlier_letter_again(tmp_path: Path, monkeypatch) -> None:
    """A header-less letter that reads as an earlier one would be indexed once, as a copy;
    the generator draws it again, so every letter of the truth is distinct."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCHMARKS))

    def make_letter(parts, seed, index, draw=0):
        text = "the same letter" if index in (1, 3) and draw < 2 else f"letter {index} {draw}"
        truth = {"path": f"{index}-{draw}.txt", "items": [{}]}
        truth["identity"] = generate.identity_key([text])
        return truth["path"], text, truth

    monkeypatch.setattr(generate, "harvest", lambda sources: SimpleNamespace(cases=[], items=[]))
    monkeypatch.setattr(generate, "make_letter", make_letter)
    summary = generate.generate(tmp_path, 5, seed=1, sources=[tmp_path], workers=1)
    truth = generate.read_truth(tmp_path)
    assert summary["redrawn"] == 1
    assert len({t["identity"] for t in truth}) == len(truth) == 5
    assert [t["path"] for t in truth] == ["0-0.txt", "1-0.txt", "2-0.txt", "3-2.txt", "4-0.txt"]
    files = sorted(p.name for p in (tmp_path / "letters").iterdir())
    assert files == ["0-0.txt", "1-0.txt", "2-0.txt", "3-2.txt", "4-0.txt"]  # the copy is gone
    same = generate.identity_key(["Valium 10mg #90", "Upheld", "Texas"])
    assert same == generate.identity_key(["valium  10mg\n#90", "UPHELD", " texas"])
    assert same != generate.identity_key(["Valium 10mg #90", "Overturned", "Texas"])


def test_growth_fits_and_projects(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import growth
    finally:
        sys.path.remove(str(BENCHMARKS))
    a, b = growth.fit_power([1e3, 1e4, 1e5], [3 * n**0.8 for n in (1e3, 1e4, 1e5)])
    assert abs(a - 3) < 1e-6 and abs(b - 0.8) < 1e-9
    c, d = growth.fit_line([1.0, 2.0, 4.0], [5.0, 7.0, 11.0])
    assert abs(c - 3) < 1e-9 and abs(d - 2) < 1e-9

    def result(n: int) -> dict:
        rows = [
            {"p50_ms": n / 1000, "p95_ms": n / 500, "runs": 5, "selective": True},
            {"p50_ms": n / 100, "p95_ms": n / 50, "runs": 5, "selective": False},
        ]
        return {
            "size": n,
            "build": {"wall_s": n / 200, "index_bytes": n * 10_000, "tree_rss": 2**28},
            "update": {"wall_s": n / 10_000, "tree_pss": 2**27},
            "queries": {"queries": rows},
        }

    text = growth.write([result(n) for n in (10_000, 100_000, 300_000)], tmp_path)
    data = json.loads((tmp_path / "growth.json").read_text())
    assert abs(data["fits"]["build_s"]["power"]["at_target"] - 10_000) < 1e-3
    assert abs(data["fits"]["build_s"]["linear"]["at_target"] - 10_000) < 1e-3
    assert abs(data["fits"]["build_tree_rss_mib"]["power"]["b"]) < 1e-9  # flat memory
    assert "query_rss_mib" not in data["fits"]  # not measured: no fit, no projection
    assert "2,000,000" in text and "Assumptions" in text and "page cache" in text


def test_startup_measures_a_cold_query_beside_the_interpreter() -> None:
    done = _run(BENCHMARKS / "startup.py", "--runs", "2")
    assert done.returncode == 0, done.stderr
    command, timing = done.stdout.splitlines()
    assert command.startswith("command: ") and "SAMPLES_INDEX" in command
    assert "/" not in command  # no path of the machine in what is quoted
    median, python = (float(ms) for ms in re.findall(r"median ([\d.]+) ms", timing))
    assert median > python > 0  # a query does more than start the interpreter


def test_shared_search_compares_one_process_with_a_worker(samples_index: Path) -> None:
    """It runs end to end (the answers it compares are equal, or it stops) and prints both
    tables, on the samples: too small to share, so the two ways are the same search."""
    done = _run(
        BENCHMARKS / "shared_search.py", samples_index, "--runs", "1", "--one-search-runs", "1"
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"The index: [\d,]+ documents in \d+ segments", done.stdout)
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) >= 40  # every query of the fixed set, then the commands
    assert any("with a forked worker" in row for row in rows)
