"""Resource faults. A full disk or a read-only index: a clear message, exit 2, the old index
answering, the next run unaided. Archive files that vanish or change under the build: reported
or indexed as they now are, and nothing lost."""

from __future__ import annotations

import contextlib
import resource
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch import build as builder
from imrsearch.ingest import archive as archive_module
from tests.reliability.conftest import cli, count, file_errors, letter_text, make_archive

FSIZE_CAP = 256 * 1024


def _cap_file_size() -> None:
    """(In the child) writes past FSIZE_CAP fail with EFBIG; Python ignores SIGXFSZ."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_CAP, FSIZE_CAP))


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


@contextlib.contextmanager
def mounted(*commands: tuple[str, ...], target: Path) -> Iterator[None]:
    """Run mount commands (skip the test if mounting is not permitted); unmount after."""
    for command in commands:
        if not _run(*command):
            pytest.skip(f"not permitted here: {' '.join(command)}")
    try:
        yield
    finally:
        while _run("umount", str(target)):
            pass


def assert_refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2, an `error:` line naming the cause, no traceback."""
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 2, done.stderr[-2000:]
    assert "error:" in done.stderr
    assert any(word in done.stderr for word in words), done.stderr


@pytest.fixture
def archives(tmp_path) -> tuple[Path, Path]:
    """A small archive (20 letters, `alphaold`) and a large one (800 letters, `betanew`)."""
    make_archive(tmp_path / "small", 20, "alphaold")
    make_archive(tmp_path / "large", 800, "betanew")
    return tmp_path / "small", tmp_path / "large"


@pytest.mark.parametrize("how", ["tmpfs", "rlimit-fsize"])
def test_disk_full_during_build(tmp_path, archives, how):
    """A 2 MB tmpfs as the index disk, or (where mounting is not permitted, and always as a
    second check) RLIMIT_FSIZE making every write past 256 KB fail."""
    small, large = archives
    index = tmp_path / "index"
    index.mkdir()
    limit = _cap_file_size if how == "rlimit-fsize" else None
    if how == "tmpfs":
        # mode: a tmpfs is writable by all by default, and such an index folder is refused
        stack = mounted(
            ("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(index)), target=index
        )
    else:
        stack = contextlib.nullcontext()
    with stack:
        assert cli("index", "build", str(small), "--index", str(index)).returncode == 0
        full = cli("index", "build", str(large), "--index", str(index), preexec_fn=limit)
        assert_refused(full, "No space left", "too large", "disk", "space")
        assert (count(index, "alphaold"), count(index, "betanew")) == (40, 0)
        again = cli("index", "build", str(small), "--index", str(index))
        assert again.returncode == 0, again.stderr
        assert count(index, "alphaold") == 40
        assert not list(index.glob("tmp-*"))


@pytest.mark.parametrize("how", ["read-only-mount", "immutable"])
def test_read_only_index(tmp_path, archives, how):
    """Root ignores file modes, so the index folder is made read-only by a read-only bind
    mount, or immutable with `chattr +i`; each is skipped where it is not permitted."""
    small, large = archives
    index = tmp_path / "index"
    assert cli("index", "build", str(small), "--index", str(index)).returncode == 0
    if how == "read-only-mount":
        stack = mounted(
            ("mount", "--bind", str(index), str(index)),
            ("mount", "-o", "remount,bind,ro", str(index)),
            target=index,
        )
    else:
        if shutil.which("chattr") is None or not _run("chattr", "+i", str(index)):
            pytest.skip("chattr +i is not permitted here")
        stack = contextlib.ExitStack()
        stack.callback(_run, "chattr", "-i", str(index))
    with stack:
        for command in (("build", str(large)), ("update", str(large))):
            done = cli("index", *command, "--index", str(index))
            assert_refused(done, "Read-only", "not permitted", "Permission denied")
        answer = cli("query", "alphaold", "--json", "--index", str(index))
        assert answer.returncode == 0, answer.stderr
        assert count(index, "alphaold") == 40
    assert cli("index", "update", str(large), "--index", str(index)).returncode == 0
    assert count(index, "betanew") == 1600


def test_file_vanishes_or_changes_between_walk_and_read(tmp_path, monkeypatch):
    """The walk lists a file that is deleted, and one that is rewritten, before they are read:
    the first is reported with its path, the second indexed as it is now, the rest all there."""
    archive, index = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 30, "alphaold")
    gone, changed = archive / "batch3/letter00003.txt", archive / "batch5/letter00005.txt"
    walk = builder.walk_archive

    def walk_then_touch(root, **options):
        found = walk(root, **options)
        gone.unlink()
        changed.write_text(letter_text(5, "changedword"))
        return found

    monkeypatch.setattr(builder, "walk_archive", walk_then_touch)
    report = api.build(archive, index, workers=2)
    assert report.letters == 29
    assert (count(index, "alphaold"), count(index, "changedword")) == (56, 2)
    reason = file_errors(index)[str(gone)]
    assert "No such file" in reason
    monkeypatch.undo()
    assert api.update(archive, index, workers=1).added == 0, (
        "the fingerprint is not of what was read"
    )


def test_file_rewritten_while_read_is_indexed_again_by_update(tmp_path, monkeypatch):
    """A letter still being copied in: the build reads the old bytes, then the copy finishes.
    The next update must see the change (nothing lost), not take the new mtime as read."""
    archive, index = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 5, "alphaold")
    target = archive / "batch2/letter00002.txt"
    read = archive_module.read_file

    def read_then_rewrite(path):
        data = read(path)
        if path == target:
            target.write_text(letter_text(2, "betanew", items=3))
        return data

    monkeypatch.setattr(archive_module, "read_file", read_then_rewrite)
    api.build(archive, index, workers=1)
    monkeypatch.undo()
    api.update(archive, index, workers=1)
    assert (count(index, "alphaold"), count(index, "betanew")) == (8, 3)
