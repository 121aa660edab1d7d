"""The query history outlives the app, in the user's state folder, and is written safely: a
folder only the user can read, no symlink followed, a bad file read as no history."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from imrsearch.tui import history
from imrsearch.tui.app import make_app
from imrsearch.tui.widgets import QueryBar


def state(workdir: Path) -> Path:
    """Where the tests' history lives ($XDG_STATE_HOME is set by conftest)."""
    return workdir / "state" / "imrsearch"


async def test_history_is_there_at_the_next_start(tui_index, run_query, workdir):
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_query(pilot, "valium")
        await run_query(pilot, 'drug:norco "not medically necessary"')
    folder = state(workdir)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "history").stat().st_mode) == 0o600

    again = make_app(index=tui_index)
    async with again.run_test(size=(120, 40)) as pilot:
        bar = again.query_one(QueryBar)
        await pilot.press("up")
        assert bar.value == 'drug:norco "not medically necessary"'
        await pilot.press("up")
        assert bar.value == "valium"


def test_the_folder_follows_xdg_state_home_else_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert history.history_folder() == tmp_path / "xdg" / "imrsearch"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "relative/state"):  # the XDG spec ignores a relative path
        monkeypatch.setenv("XDG_STATE_HOME", unset)
        assert history.history_folder() == tmp_path / "home" / ".local" / "state" / "imrsearch"


def test_history_keeps_the_newest_entries_and_any_character(workdir):
    folder = state(workdir)
    queries = [f"q{n}" for n in range(history.LIMIT + 20)] + ['a "b"\n\x1b[31m c']
    for query in queries:
        assert history.append(folder, query)
    assert history.append(folder, queries[-1])  # the same query twice is kept once
    assert history.load(folder) == queries[-history.LIMIT :]
    assert [p.name for p in folder.iterdir()] == ["history"]  # no temporary file left


def test_a_symlink_planted_in_place_of_the_file_is_not_followed(workdir):
    folder = state(workdir)
    folder.mkdir(parents=True, mode=0o700)
    target = workdir / "elsewhere.txt"
    target.write_text(json.dumps("secret query") + "\n")
    (folder / "history").symlink_to(target)
    assert history.load(folder) == []  # not read through the link
    assert not history.append(folder, "valium")
    assert target.read_text() == json.dumps("secret query") + "\n"  # not written either
    assert (folder / "history").readlink() == target  # nor the link replaced


def test_a_symlink_planted_in_place_of_the_folder_is_not_followed(workdir):
    real = workdir / "real"
    real.mkdir()
    state(workdir).parent.mkdir(parents=True)
    state(workdir).symlink_to(real)
    assert not history.append(state(workdir), "valium")
    assert history.load(state(workdir)) == []
    assert list(real.iterdir()) == []


@pytest.mark.parametrize(
    "plant",
    [
        lambda path: path.write_bytes(b"\xff\xfe\x00garbage\n[1, 2]\n{}\n" + b"\x00" * 100),
        lambda path: path.mkdir(),  # not a file at all
        lambda path: os.mkfifo(path),  # would block a plain read
        lambda path: path.write_bytes(b'"x"\n' * (history.MAX_BYTES // 4 + 1)),  # too big
    ],
    ids=["corrupt", "folder", "fifo", "huge"],
)
async def test_a_bad_history_file_is_no_history_and_no_crash(tui_index, run_query, workdir, plant):
    folder = state(workdir)
    folder.mkdir(parents=True, mode=0o700)
    path = folder / "history"
    plant(path)
    before = path.read_bytes() if path.is_file() else None
    app = make_app(index=tui_index)
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.query_one(QueryBar)
        assert bar.history == []
        await run_query(pilot, "valium")
        assert app.result is not None and app.result.total > 0
        await pilot.press("up")
        assert bar.value == "valium"  # this run's history still works
    if before is not None:
        assert path.read_bytes() == before  # not ours to replace
    assert [p.name for p in folder.iterdir()] == ["history"]


def test_one_line_that_is_not_a_query_makes_the_file_no_history(workdir):
    folder = state(workdir)
    folder.mkdir(parents=True, mode=0o700)
    (folder / "history").write_bytes(b'"valium"\n42\n"norco"\n')
    assert history.load(folder) == []
    assert not history.append(folder, "soma")
    assert (folder / "history").read_bytes() == b'"valium"\n42\n"norco"\n'
    (folder / "history").write_bytes(b'"valium"\n"norco"\n')
    assert history.load(folder) == ["valium", "norco"]
