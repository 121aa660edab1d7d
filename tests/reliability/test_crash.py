"""Kill `index build` and `index update` at random moments: afterwards the index must answer
with the complete old or the complete new content, and the next run must succeed unaided."""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from imrsearch import api
from tests.reliability.conftest import cli, count, make_archive, start_cli, wait_group_gone

# (signal, whole process group?): kill -9 of the main process, the OOM killer or a closed
# terminal taking everything, `kill -INT`, and Ctrl-C (which reaches every process).
KINDS = (
    (signal.SIGKILL, False),
    (signal.SIGKILL, True),
    (signal.SIGINT, False),
    (signal.SIGINT, True),
)
ITEMS = 2


@dataclass(frozen=True)
class Content:
    """One complete archive state: every letter carries `marker` in each rationale."""

    name: str
    marker: str
    letters: int

    def expected(self) -> tuple[int, int, int]:
        """(alphaold hits, betanew hits, all decisions) when this content is live."""
        decisions = self.letters * ITEMS
        return (decisions, 0, decisions) if self.name == "old" else (0, decisions, decisions)


class Scenario:
    """Two contents and how to make a run that replaces one with the other."""

    def __init__(self, root: Path, mode: str, letters: int) -> None:
        self.root, self.mode = root, mode
        self.old = Content("old", "alphaold", letters)
        self.new = Content("new", "betanew", letters + letters // 10)
        self.index = root / "index"
        if mode == "build":
            make_archive(root / "old", self.old.letters, self.old.marker, ITEMS)
            make_archive(root / "new", self.new.letters, self.new.marker, ITEMS)

    def other(self, content: Content) -> Content:
        return self.new if content is self.old else self.old

    def command(self, target: Content) -> list[str]:
        """Rewrite the archive as `target` if need be; the CLI arguments that index it."""
        if self.mode == "build":
            return ["index", "build", str(self.root / target.name), "--index", str(self.index)]
        archive = self.root / "archive"
        make_archive(archive, target.letters, target.marker, ITEMS)
        for path in archive.rglob("letter*.txt"):
            if int(path.stem[len("letter") :]) >= target.letters:
                path.unlink()
        return ["index", "update", str(archive), "--index", str(self.index)]

    def live(self) -> Content:
        """The content the index answers with; AssertionError if it is anything else."""
        with api.open_searcher(self.index) as searcher:
            seen = tuple(
                searcher.search(word, limit=1).total
                for word in (self.old.marker, self.new.marker, "format:d")
            )
        letters = api.info(self.index).report["letters"]
        for content in (self.old, self.new):
            if seen == content.expected() and letters == content.letters:
                return content
        raise AssertionError(f"mixed or partial index: hits {seen}, {letters} letters")


def lock_is_free(index: Path) -> bool:
    """Whether a new build could take the write lock now (probed without cleaning anything)."""
    with open(index / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


def leftovers(index: Path) -> list[str]:
    """What a finished run should have cleaned: workspaces, unpublished pointers, old gens."""
    names = sorted(p.name for p in index.iterdir())
    gens = [n for n in names if n.startswith("gen-")]
    junk = [n for n in names if n.startswith("tmp-") or n == "CURRENT.new"]
    return junk + (gens[:-2] if len(gens) > 2 else [])


def run_kills(root: Path, seed: int, reaper: list[int], mode: str, letters: int, kills: int):
    """Make `kills` kills of `mode` runs at seeded random moments, checking after each."""
    rng = random.Random(seed)
    scenario = Scenario(root, mode, letters)
    log = root / "stderr.txt"

    def start(target: Content, mode: str = mode) -> subprocess.Popen:
        args = scenario.command(target)
        args[1] = mode
        proc = start_cli(*args, log=log)
        reaper.append(proc.pid)
        return proc

    started = time.monotonic()
    assert start(scenario.old, "build").wait(timeout=600) == 0, log.read_text()
    duration = (time.monotonic() - started) * 1.2
    live = scenario.live()
    failures: list[str] = []
    made = survived = finished_early = 0
    while made < kills:
        target = scenario.other(live)
        sig, group = KINDS[made % len(KINDS)]
        late = rng.random() < 1 / 3  # a third of the kills aimed at the commit and publish
        delay = rng.uniform(0.8 * duration, duration) if late else rng.uniform(0.05, duration)
        proc = start(target)
        started = time.monotonic()
        try:
            code = proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None:  # aim the next kills within what a whole run takes
            duration = time.monotonic() - started
            finished_early += 1
            if code != 0:
                failures.append(f"a run after a kill failed ({code}): {log.read_text()[-400:]}")
            live = scenario.live()
            continue
        made += 1
        problems = kill_and_check(proc, sig, group, scenario.index)
        try:
            now = scenario.live()
        except Exception as exc:  # any failure to answer is what this test looks for
            problems.append(f"{type(exc).__name__}: {exc}")
        else:
            if now not in (live, target):
                problems.append(f"{now.name} content live, expected {live.name} or {target.name}")
            live = now
        if problems:
            where = "group" if group else "main"
            failures.append(
                f"kill {made} ({sig.name} {where} at {delay:.2f}s): {'; '.join(problems)}"
            )
        else:
            survived += 1
    target = scenario.other(live)
    if start(target).wait(timeout=600) != 0:
        failures.append(f"the final run failed: {log.read_text()[-400:]}")
    elif scenario.live() != target or leftovers(scenario.index):
        failures.append(f"after the final run: left {leftovers(scenario.index)}")
    print(
        f"figures: {mode}: {survived}/{made} kills survived ({finished_early} runs finished "
        f"before their kill), {letters} letters, seed {seed}"
    )
    assert not failures, "\n".join(failures)


def kill_and_check(proc: subprocess.Popen, sig: int, group: bool, index: Path) -> list[str]:
    """Signal a running build; what is wrong once it is gone (its group is reaped after)."""
    problems = []
    (os.killpg if group else os.kill)(proc.pid, sig)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        problems.append("the main process did not exit within 60 s")
    if not wait_group_gone(proc.pid, 5):
        problems.append("worker processes outlived the main process")
    if not lock_is_free(index):
        problems.append("the write lock is still held, so the next run would be refused")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    wait_group_gone(proc.pid, 10)
    return problems


@pytest.mark.parametrize("mode", ["build", "update"])
def test_kills_leave_a_whole_index(tmp_path, seed, reaper, mode):
    """A short run: each kind of kill once, on a small archive."""
    run_kills(tmp_path, seed, reaper, mode, letters=200, kills=len(KINDS))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["build", "update"])
def test_kills_leave_a_whole_index_long(tmp_path, seed, reaper, mode):
    """The long run: 24 kills on an archive of 3000 letters."""
    run_kills(tmp_path, seed, reaper, mode, letters=3000, kills=24)


def busy_build(root: Path, reaper: list[int]) -> tuple[subprocess.Popen, Path, Path]:
    """An index of 50 `alphaold` letters, and a build of 1000 `betanew` letters caught while
    its workers parse; returns the process, the index and the build's stderr log."""
    index, log = root / "index", root / "stderr.txt"
    make_archive(root / "old", 50, "alphaold")
    make_archive(root / "new", 1000, "betanew")
    assert cli("index", "build", str(root / "old"), "--index", str(index)).returncode == 0
    proc = start_cli("index", "build", str(root / "new"), "--index", str(index), log=log)
    reaper.append(proc.pid)
    deadline = time.monotonic() + 30
    while not any(index.glob("tmp-*")):
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)
    time.sleep(0.3)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    return proc, index, log


def test_sigkill_of_the_main_process_does_not_block_the_next_build(tmp_path, reaper):
    """`kill -9` of the build (its workers live on): the next build must not be refused."""
    proc, index, _ = busy_build(tmp_path, reaper)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(2)
    again = cli("index", "build", str(tmp_path / "new"), "--index", str(index), timeout=120)
    assert again.returncode == 0, again.stderr
    assert count(index, "betanew") == 2000


def test_ctrl_c_says_the_index_is_unchanged_without_traceback(tmp_path, reaper):
    """Ctrl-C (SIGINT to the whole group): exit 130, the promised message, no traceback."""
    proc, index, log = busy_build(tmp_path, reaper)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    stderr = log.read_text()
    problems = [
        problem
        for problem, bad in (
            ("no 'interrupted' message", "interrupted" not in stderr),
            ("a traceback", "Traceback" in stderr),
        )
        if bad
    ]
    assert not problems, f"stderr has {' and '.join(problems)}:\n{stderr[-1500:]}"
    assert (count(index, "alphaold"), count(index, "betanew")) == (100, 0)
