"""An archive of good letters mixed with files no letter archive should hold: every hostile file
is reported with its path and a reason, every good letter is indexed, memory stays bounded and
no worker hangs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imrsearch import api
from tests.reliability.conftest import (
    cli,
    count,
    file_errors,
    hostile_files,
    make_archive,
    tricky_letters,
)

# file → words one of which the reason must contain ("" accepts any reason)
REASONS = {
    "empty.txt": ("empty",),
    "binary.txt": ("binary",),
    "only-nuls.txt": ("NUL",),
    "not-a-letter.txt": ("",),
    "truncated.pdf": ("PDF",),
    "not-really.pdf": ("PDF",),
    "password.pdf": ("password",),
    "scanned.pdf": ("no text",),
    "bomb-5000-pages.pdf": ("pages",),
    "bomb-nested.pdf": ("",),
    "huge-50mb.txt": ("too large",),
    "loop/back": ("loop",),
    "self.txt": ("symbolic links", "symlink"),
    "unreadable.txt": ("Permission denied",),
}
GOOD_LETTERS = 100
MAX_RSS_MB = 600
# Prints the peak resident size of the command it runs (and of all that command's children).
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print('maxrss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def without_root_reads() -> list[str]:
    """A prefix that runs a command as root without the power to read any file (so mode 000
    stops it as it stops a user), or [] when that is not possible here."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return prefix if probe.returncode == 0 else []


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> tuple[Path, Path, dict, int, bool]:
    """The mixed archive indexed by the CLI: (archive, index, tricky markers, peak RSS in MB,
    whether mode 000 could stop the reader)."""
    root = tmp_path_factory.mktemp("hostile")
    archive, index = root / "archive", root / "index"
    make_archive(archive / "good", GOOD_LETTERS, "goodword")
    tricky = tricky_letters(archive / "tricky")
    made = hostile_files(archive / "hostile", api.samples_dir() / "CM16-0213037.pdf")
    assert set(made) == set(REASONS)
    os.mkfifo(archive / "hostile" / "pipe.txt")
    prefix = without_root_reads()
    # the per-file timeout is 60 s: a hung worker shows as a timeout here
    done = cli(
        *("index", "build", str(archive), "--index", str(index), "--json"),
        wrap=[*prefix, sys.executable, "-c", MEASURE],
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report, rss = done.stdout.splitlines()[-2:]
    json.loads(report)
    return archive, index, tricky, int(rss.split()[1]) // 1024, bool(prefix)


def test_every_hostile_file_is_reported(hostile_index):
    archive, index, _, _, unreadable_blocks = hostile_index
    reported = {
        Path(path).relative_to(archive.resolve() / "hostile").as_posix(): reason
        for path, reason in file_errors(index).items()
    }
    expected = dict(REASONS)
    if not unreadable_blocks:  # root reads a mode-000 file: it is a good letter then
        del expected["unreadable.txt"]
        assert count(index, "unreadable") == 2
    missing = sorted(set(expected) - set(reported))
    wrong = {
        name: reported[name]
        for name, words in expected.items()
        if name in reported and not any(word in reported[name] for word in words)
    }
    reported_well = len(expected) - len(missing) - len(wrong)
    print(f"figures: hostile files: {len(expected)} tried, {reported_well} reported with a reason")
    assert not missing and not wrong, f"not reported: {missing}; odd reasons: {wrong}"


def test_every_good_letter_is_indexed(hostile_index):
    _, index, tricky, _, _ = hostile_index
    assert count(index, "goodword") == GOOD_LETTERS * 2
    assert {marker: count(index, marker) for marker in tricky.values()} == {
        marker: 2 for marker in tricky.values()
    }


def test_memory_stays_bounded(hostile_index):
    """No file's size shows in memory (the 50 MB text and 5000-page PDF are refused unread)."""
    print(f"figures: hostile files: peak resident memory of the build {hostile_index[3]} MB")
    assert hostile_index[3] < MAX_RSS_MB


def test_update_keeps_reporting_unchanged_bad_files(hostile_index):
    """An update that re-reads nothing still reports every bad file."""
    index = hostile_index[1]
    before = file_errors(index)
    done = cli("index", "update", "--index", str(index), "--json", wrap=without_root_reads())
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["added"] == 0
    assert file_errors(index) == before
