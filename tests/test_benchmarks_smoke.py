"""The benchmark runs end to end on 50 generated letters, and every answer it checks is right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, timeout=120
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
        "### Start-up",
    ):
        assert heading in markdown
    assert "All checks passed" in markdown
    assert len(rows) >= 30
    assert sum(r["ok"] is True for r in rows) >= 20
    assert not result["update"]["truth_mismatches"]
    assert result["update"]["fresh_mismatches"] == []
    assert result["build"]["letters"] == 50
