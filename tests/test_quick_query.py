"""A plain `imrsearch query` runs without typer and answers exactly as the typer command does;
anything that is not a plain query goes to typer."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from imrsearch.cli.quick import plain_query
from imrsearch.model import SortOrder

ROOT = Path(__file__).resolve().parents[1]
_TIMING = re.compile(r'"elapsed_ms": [0-9.]+|in [0-9]+ ms')


@pytest.mark.parametrize(
    "args",
    [
        ["drug:valium"],
        ["drug:valium", "--json"],
        ["--json", "--limit", "2", "--sort", "date", "outcome:upheld"],
        ["outcome:upheld", "--csv", "-n", "3", "--csv-formulas"],
        ["--facet=year,drug", "--facet-limit=2", "--json", "medically"],
        ["--all", "--json", "--", "-valium"],
        ["nothingmatchesthis", "--json"],
        ["nothingmatchesthis"],
        ["drug:valium", "--json", "--csv"],
        ["drug:(valium"],
        ["class:opioid", "--sort", "date", "--limit=1"],
    ],
)
def test_a_plain_query_answers_as_the_typer_command(
    run, samples_index: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
):
    argv = ["query", "--index", str(samples_index), *args]
    assert plain_query(argv) is not None  # this is the quick path
    quick = run(*argv)
    monkeypatch.setattr("imrsearch.cli.quick.plain_query", lambda argv: None)
    typed = run(*argv)
    assert quick.code == typed.code
    assert _TIMING.sub("", quick.out) == _TIMING.sub("", typed.out)
    assert _TIMING.sub("", quick.err) == _TIMING.sub("", typed.err)
    assert quick.out or quick.err


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "--help"],
        ["query", "-h", "valium"],
        ["query"],
        ["query", "a", "b"],
        ["query", "-valium"],
        ["query", "valium", "--limit", "0"],
        ["query", "valium", "--limit", "x"],
        ["query", "valium", "-n5"],
        ["query", "valium", "--lim", "5"],
        ["query", "valium", "--sort", "Date"],
        ["query", "valium", "--index"],
        ["query", "valium", "--index="],
        ["query", "valium", "--json=yes"],
        ["query", "valium", "-i=idx"],
        ["query", "valium", "--shards", "2"],
        ["show", "valium"],
        [],
    ],
)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert plain_query(argv) is None


def test_a_plain_query_reads_every_option() -> None:
    options = ["-i", "ix", "-n", "7", "--all", "--sort", "date", "--facet", "year"]
    flags = ["--facet-limit", "3", "--json", "--csv", "--csv-formulas"]
    assert plain_query(["query", *options, *flags, "drug:valium"]) == {
        "text": "drug:valium",
        "index": Path("ix"),
        "limit": 7,
        "show_all": True,
        "sort": SortOrder.DATE,
        "facet": "year",
        "facet_limit": 3,
        "as_json": True,
        "as_csv": True,
        "csv_formulas": True,
    }


def test_typer_still_answers_what_is_not_plain(run, samples_index: Path) -> None:
    done = run("query", "valium", "--limit", "0", "--index", str(samples_index))
    assert done.code == 2 and "--limit" in done.err
    assert "Fields (aliases)" in run("query", "--help").out


def test_a_cold_query_imports_no_front_end_library(samples_index: Path) -> None:
    command = ["imrsearch", "query", "--json", "--index", str(samples_index), "drug:valium"]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", *command],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0 and '"total": 5' in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "whoosh.searching" in imported  # it did search
    heavy = ("typer", "click", "rich", "textual", "asyncio", "urllib.request", "http", "email")
    assert sorted(m for m in imported if m.split(".")[0] in heavy or m in heavy) == []


def _program(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "imrsearch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_the_program_ends_a_plain_query_with_its_whole_answer_and_status(
    samples_index: Path, tmp_path: Path
) -> None:
    """A plain query leaves without the interpreter's teardown: the answer must still be
    whole (flushed), the exit status grep's, and what it writes closed."""
    index = str(samples_index)
    done = _program("query", "--json", "--index", index, "drug:valium")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 5
    done = _program("query", "--csv", "--index", index, "medically")
    assert done.returncode == 0
    assert len(list(csv.reader(io.StringIO(done.stdout)))) > 20
    done = _program("query", "--index", index, "drug:nosuchdrugatall")
    assert done.returncode == 1 and "No decisions match" in done.stderr
    done = _program("query", "--index", index, "outcome:sideways")
    assert done.returncode == 2 and "outcome" in done.stderr
    cites = tmp_path / "cites.txt"
    done = _program("query", "--index", index, "--cite", "--cite-file", str(cites), "drug:valium")
    written = cites.read_text()
    assert done.returncode == 0 and "5 citation(s) written" in done.stderr
    assert written.count("Source: ") == 5 and written.endswith("\n")


def test_the_program_stops_quietly_when_its_reader_goes(samples_index: Path) -> None:
    command = [sys.executable, "-m", "imrsearch", "query", "--csv", "--index"]
    reader = subprocess.Popen(
        [*command, str(samples_index), "medically"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()  # `| head -1`
    assert reader.wait(timeout=60) == 0
    assert "Traceback" not in reader.stderr.read().decode()
