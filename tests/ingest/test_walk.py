"""Walking an archive: name order, any depth, and symlinks that must not lead out of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imrsearch.ingest.archive import walk_archive
from tests.ingest.deep_tree import nested_folders


def relative(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def failures(walk, root: Path) -> dict[str, str]:
    return {Path(f.path).relative_to(root).as_posix(): f.reason for f in walk.failures}


def test_files_come_depth_first_in_name_order(tmp_path: Path) -> None:
    for name in ("b/2.txt", "b/1.pdf", "a.txt", "b/c/3.txt", "b/d.txt", "c.TXT", "x.doc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    walk = walk_archive(tmp_path)
    assert relative(walk.files, tmp_path) == [
        "a.txt",
        "b/1.pdf",
        "b/2.txt",
        "b/c/3.txt",
        "b/d.txt",
        "c.TXT",
    ]
    assert (walk.skipped, walk.failures) == (1, [])


def test_a_tree_a_thousand_folders_deep_is_walked(tmp_path: Path) -> None:
    (tmp_path / "z.txt").write_text("x")
    with nested_folders(tmp_path, "d", 1000, letter=b"x"):
        walk = walk_archive(tmp_path)
    assert relative(walk.files, tmp_path) == [
        *("d/" * level + "letter.txt" for level in range(1000, 0, -1)),  # "d" < "letter"
        "z.txt",
    ]


def test_a_path_too_long_is_reported_per_folder(tmp_path: Path) -> None:
    """Folders of 250-character names, 30 deep (7,500 characters, past PATH_MAX): the walk
    reports the first folder it cannot open and keeps the letter of every folder above it
    (one whose own path is too long is reported when it is read)."""
    listable = (4095 - len(str(tmp_path))) // 251  # folders whose path the system takes
    with nested_folders(tmp_path, "n" * 250, 30, letter=b"x"):
        walk = walk_archive(tmp_path)
    assert [len(f.path) for f in walk.failures] == [len(str(tmp_path)) + 251 * (listable + 1)]
    assert "File name too long" in walk.failures[0].reason
    assert len(walk.files) == listable


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """An archive with links inside it, out of it, back up and nowhere; outside holds a
    secret file and a folder of 3 letters."""
    outside, root = tmp_path / "outside", tmp_path / "archive"
    (outside / "usr").mkdir(parents=True)
    for number in range(3):
        (outside / "usr" / f"{number}.txt").write_text("x")
    (outside / "shadow").write_text("root:secret")
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.txt").write_text("x")
    (root / "shadow.txt").symlink_to(outside / "shadow")
    (root / "usr").symlink_to(outside / "usr")
    (root / "sneaky").symlink_to("real/../../outside/usr")  # relative, out and back
    (root / "inside").symlink_to("real")
    (root / "b.txt").symlink_to("real/a.txt")
    (root / "real" / "up").symlink_to("..")
    (root / "gone.txt").symlink_to("nowhere.txt")
    return root


def test_symlinks_out_of_the_archive_are_skipped_and_reported(linked: Path) -> None:
    walk = walk_archive(linked)
    outside = linked.parent.resolve() / "outside"
    assert relative(walk.files, linked) == ["b.txt", "inside/a.txt"]
    assert failures(walk, linked) == {
        "gone.txt": "broken or looping symlink: No such file or directory",
        "real": "symlink loop (folder already visited)",
        "shadow.txt": f"symlink leads outside the archive: {outside / 'shadow'}",
        "sneaky": f"symlink leads outside the archive: {outside / 'usr'}",
        "usr": f"symlink leads outside the archive: {outside / 'usr'}",
        "inside/up": "symlink loop (folder already visited)",
    }


def test_follow_symlinks_follows_them_once_each(linked: Path) -> None:
    walk = walk_archive(linked, follow_symlinks=True)
    assert relative(walk.files, linked) == [
        "b.txt",
        "inside/a.txt",
        "shadow.txt",
        "sneaky/0.txt",
        "sneaky/1.txt",
        "sneaky/2.txt",
    ]
    assert set(failures(walk, linked)) == {"gone.txt", "real", "usr", "inside/up"}


def test_a_name_that_is_not_utf8_is_reported_in_display_form(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(raw)
    os.mkfifo(raw + b"/pipe\xff.txt")
    os.close(os.open(raw + b"/letter\xff.txt", os.O_WRONLY | os.O_CREAT))
    walk = walk_archive(tmp_path)
    assert walk.files == [Path(os.fsdecode(raw + b"/letter\xff.txt"))]
    assert [(f.path, f.reason) for f in walk.failures] == [
        (f"{tmp_path}/caf\\xe9/pipe\\xff.txt", "not a regular file")
    ]
