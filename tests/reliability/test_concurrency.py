"""Queries while a build and an update run: every answer complete, never an error."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imrsearch import api
from tests.reliability.conftest import cli, count, make_archive

OLD, NEW = "alphaold", "betanew"

# Another process: a fresh searcher per round (as each CLI query opens one), three queries per
# round, one JSON line per round, until the stop file appears.
QUERY_LOOP = """
import json, sys
from pathlib import Path
from imrsearch import api
index, out, stop = (Path(a) for a in sys.argv[1:4])
QUERIES = ("alphaold", "betanew", "format:d")
with open(out, "w") as sink:
    while not stop.exists():
        try:
            with api.open_searcher(index) as searcher:
                row = [searcher.search(q, limit=3).total for q in QUERIES]
        except Exception as exc:
            row = f"{type(exc).__name__}: {exc}"
        sink.write(json.dumps(row) + "\\n")
        sink.flush()
"""


def expected(marker: str, letters: int) -> list[int]:
    """The answer row when `letters` letters marked `marker` are live."""
    return [letters * 2, 0, letters * 2] if marker == OLD else [0, letters * 2, letters * 2]


def rows(path: Path) -> list:
    return [json.loads(line) for line in path.read_text().splitlines()]


def wait_rows(path: Path, at_least: int) -> None:
    deadline = time.monotonic() + 30
    while not path.exists() or len(rows(path)) < at_least:
        assert time.monotonic() < deadline, "the query loop gives no answers"
        time.sleep(0.05)


def queries_during_build_and_update(tmp_path: Path, letters: int) -> None:
    """Old content, then a build publishes new content, then an update brings the old back."""
    more = letters + letters // 10  # the new content has more letters than the old
    index, answers, stop = tmp_path / "index", tmp_path / "answers.jsonl", tmp_path / "stop"
    make_archive(tmp_path / "old", letters, OLD)
    make_archive(tmp_path / "new", more, NEW)
    assert cli("index", "build", str(tmp_path / "old"), "--index", str(index)).returncode == 0
    loop = subprocess.Popen(
        [sys.executable, "-c", QUERY_LOOP, str(index), str(answers), str(stop)],
        stderr=subprocess.PIPE,
    )
    try:
        wait_rows(answers, 1)
        before = len(rows(answers))
        built = cli("index", "build", str(tmp_path / "new"), "--index", str(index))
        assert built.returncode == 0, built.stderr
        make_archive(tmp_path / "new", letters, OLD)
        for extra in range(letters, more):
            next((tmp_path / "new").rglob(f"letter{extra:05d}.txt")).unlink()
        updated = cli("index", "update", "--index", str(index))
        assert updated.returncode == 0, updated.stderr
        during = len(rows(answers)) - before
        wait_rows(answers, before + during + 3)
    finally:
        stop.touch()
        loop.wait(timeout=30)
    assert loop.returncode == 0, loop.stderr.read().decode()
    answered = rows(answers)
    errors = [row for row in answered if not isinstance(row, list)]
    assert not errors, f"{len(errors)} of {len(answered)} queries failed, first: {errors[0]}"
    whole_old, whole_new = expected(OLD, letters), expected(NEW, more)
    partial = [row for row in answered if row not in (whole_old, whole_new)]
    assert not partial, f"incomplete answers: {partial[:5]}"
    states = [row for i, row in enumerate(answered) if i == 0 or row != answered[i - 1]]
    assert states == [whole_old, whole_new, whole_old], "answers went back and forth"
    print(
        f"figures: concurrency: {during} queries answered during a build and an update "
        f"of {letters} letters"
    )


def test_queries_during_build_and_update_are_complete(tmp_path):
    queries_during_build_and_update(tmp_path, letters=400)


@pytest.mark.slow
def test_queries_during_build_and_update_are_complete_long(tmp_path):
    queries_during_build_and_update(tmp_path, letters=3000)


def test_long_lived_searcher_survives_a_build_and_an_update(tmp_path):
    """A searcher kept open (as the TUI keeps one) still answers after two publishes."""
    index = tmp_path / "index"
    make_archive(tmp_path / "old", 40, OLD)
    make_archive(tmp_path / "new", 50, NEW)
    assert cli("index", "build", str(tmp_path / "old"), "--index", str(index)).returncode == 0
    with api.open_searcher(index) as searcher:
        assert searcher.search(OLD).total == 80
        assert cli("index", "build", str(tmp_path / "new"), "--index", str(index)).returncode == 0
        assert cli("index", "update", str(tmp_path / "old"), "--index", str(index)).returncode == 0
        totals = searcher.search(OLD).total, searcher.search(NEW).total
    assert totals in ((80, 0), (0, 100)), totals
    assert count(index, OLD) == 80
