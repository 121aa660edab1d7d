"""An archive whose names, tree and PDFs are hostile, indexed by the CLI: names that are not
UTF-8, a tree 1,000 folders deep and one past the longest path, a FIFO, PDFs that exhaust
PDFium's memory or time or crash it, and symlinks out of the archive. The build must end
without a traceback, index every good letter, and report each bad file with its reason;
memory and time stay within the PDF reader's bounds, with one loader worker or two."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch import build as builder
from imrsearch.ingest import pdf_process
from imrsearch.vocab.paths import display_path
from tests.ingest.deep_tree import nested_folders
from tests.ingest.hostile_pdfs import memory_bomb, time_bomb
from tests.reliability.conftest import cli, count, file_errors, letter_text, make_archive

GOOD_LETTERS = 40
# Seconds: the real bound (30 s) would only make the test slow; under 10 s, the memory bomb
# (1.5 s alone) could hit the time limit first on a loaded machine.
PDF_TIMEOUT = 10.0
SAMPLE_PDF = api.samples_dir() / "CM16-0213037.pdf"
ABORT_MARK = b"%ABORT-HERE"
# The reader's entry with PDFium replaced by os.abort() for a PDF that holds ABORT_MARK: a crash
# without running out of memory (the memory bomb is a real PDFium abort, but for memory).
ABORTING_READER = [
    *pdf_process._COMMAND[:3],
    "import os, sys; sys.path.insert(0, sys.argv[1]); from imrsearch.ingest import pdf_child; "
    "read = pdf_child.pdf_text; "
    f"pdf_child.pdf_text = lambda data: os.abort() if {ABORT_MARK!r} in data else read(data); "
    "pdf_child.main(sys.argv[2:])",
    pdf_process._COMMAND[4],
]
# Runs the CLI with the test's PDF timeout and aborting reader, then prints the peak resident
# size of the build and all its processes (workers, PDF readers) and how long it took.
RUN_CLI = f"""
import resource, sys, time
from imrsearch.ingest import pdf_process
pdf_process.PDF_TIMEOUT_SECONDS = {PDF_TIMEOUT}
pdf_process._COMMAND = {ABORTING_READER!r}
from imrsearch.cli import main
started = time.monotonic()
try:
    main()
finally:
    pdf_process._close_at_exit()
    peak = max(resource.getrusage(who).ru_maxrss for who in (0, -1))
    print('\\nmeasured', peak, time.monotonic() - started, file=sys.stderr)
"""
MAX_PEAK_MB = 1100  # the reader may use 768 MiB; before the fix one bomb took 3 GB
MAX_SECONDS = 60


def raw(path: Path) -> bytes:
    return os.fsencode(path)


def hostile_archive(root: Path) -> dict[str, str]:
    """Everything but the deep trees; returns {marker word: display path} of good letters
    with odd names."""
    archive, outside = root / "archive", root / "outside"
    make_archive(archive / "good", GOOD_LETTERS, "goodword")
    names = archive / "names"
    names.mkdir()
    odd = {
        "latinword": raw(names) + b"/caf\xe9-latin1.txt",
        "ffword": raw(names) + b"/\xff\xfe.txt",
        "escword": raw(names) + b"/esc\x1b[2J\nline.txt",
        "slashword": raw(names) + b"/back\\xff\\slash.txt",
    }
    for marker, name in odd.items():
        Path(os.fsdecode(name)).write_text(letter_text(1, marker))
    Path(os.fsdecode(raw(names) + b"/empty-\xfe.txt")).write_bytes(b"")
    os.mkfifo(archive / "pipe.txt")
    pdfs = archive / "pdfs"
    pdfs.mkdir()
    (pdfs / "a-memory.pdf").write_bytes(memory_bomb())
    (pdfs / "b-slow.pdf").write_bytes(time_bomb())
    (pdfs / "c-abort.pdf").write_bytes(SAMPLE_PDF.read_bytes() + b"\n" + ABORT_MARK + b"\n")
    shutil.copy(SAMPLE_PDF, pdfs / "d-good.pdf")
    (outside / "usr").mkdir(parents=True)
    for number in range(5):
        (outside / "usr" / f"{number}.txt").write_text(letter_text(number, "usrword"))
    (outside / "shadow").write_text(letter_text(0, "secretword"))
    (archive / "shadow.txt").symlink_to(outside / "shadow")
    (archive / "usr").symlink_to(outside / "usr")
    (archive / "linked").mkdir()
    (archive / "linked" / "target.txt").write_text(letter_text(2, "insideword"))
    (archive / "linked" / "alias.txt").symlink_to("target.txt")
    return {marker: display_path(os.fsdecode(name)) for marker, name in odd.items()}


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> Iterator[tuple[Path, dict[str, str]]]:
    root = tmp_path_factory.mktemp("hostile-archive")
    odd = hostile_archive(root)
    archive = root / "archive"
    (archive / "deep").mkdir()
    (archive / "long").mkdir()
    deep_letter = letter_text(3, "deepword").encode()
    with (
        nested_folders(archive / "deep", "d", 1000, letter=deep_letter),
        nested_folders(archive / "long", "n" * 250, 20, letter=letter_text(4, "longword").encode()),
    ):
        yield archive, odd


@pytest.fixture(scope="module", params=[1, 2], ids=["workers=1", "workers=2"])
def built(request, trees) -> tuple[Path, Path, dict[str, str], float, float]:
    """The archive built by the CLI: (archive, index, odd names, peak MB, seconds)."""
    archive, odd = trees
    index = archive.parent / f"index-{request.param}"
    build = ["index", "build", str(archive), "--json", f"--index={index}"]
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, *build, f"--workers={request.param}"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    json.loads(done.stdout)
    _, peak_kib, seconds = done.stderr.splitlines()[-1].split()
    return archive, index, odd, int(peak_kib) / 1024, float(seconds)


def copies(index: Path) -> dict[str, str]:
    """The files `index errors` names as copies of a letter indexed from another file."""
    return {p: r for p, r in file_errors(index).items() if r.startswith("duplicate of ")}


def test_every_good_letter_is_indexed(built) -> None:
    """Every good letter once: the same letter in several files is indexed from the first and
    each other file is reported as its copy, so every file reached is accounted for."""
    archive, index, odd, _, _ = built
    top = archive.resolve()
    named = copies(index)
    assert count(index, "goodword") == GOOD_LETTERS * 2
    assert {marker: count(index, marker) for marker in odd} == dict.fromkeys(odd, 2)
    # the file and the link to it inside the archive: one letter, reached twice
    assert count(index, "insideword") == 2
    assert named[f"{top}/linked/target.txt"] == f"duplicate of {top}/linked/alias.txt"
    # one letter in each of the 1,000 folders: the first indexed, the 999 others its copies
    assert count(index, "deepword") == 2
    assert sum(path.startswith(f"{top}/deep/") for path in named) == 1000 - 1
    # those whose path the system takes
    assert count(index, "longword") == 2
    assert sum(path.startswith(f"{top}/long/") for path in named) >= 10 - 1


def test_a_name_that_is_not_utf8_is_shown_by_its_display_path(built) -> None:
    _, index, odd, _, _ = built
    for marker, shown in odd.items():
        done = cli("show", shown, "--json", "--index", str(index))
        assert done.returncode == 0, done.stderr
        letter = json.loads(done.stdout)
        assert letter["path"] == shown
        assert marker in letter["text"]
    assert "\\xff\\xfe.txt" in odd["ffword"] and "\\x1b[2J\\x0aline" in odd["escword"]
    assert "back\\\\xff\\\\slash" in odd["slashword"]


def test_every_bad_file_is_reported_with_a_reason(built) -> None:
    archive, index, _, _, _ = built
    top = archive.resolve()
    outside = top.parent / "outside"
    reported = {
        path: reason
        for path, reason in file_errors(index).items()
        if not reason.startswith("duplicate of ")  # every file reached, but not a failure
    }
    expected = {
        f"{top}/names/empty-\\xfe.txt": "empty file",
        f"{top}/pipe.txt": "not a regular file",
        f"{top}/pdfs/a-memory.pdf": "ran out of memory (the PDF reader may use 768 MiB)",
        f"{top}/pdfs/b-slow.pdf": f"took longer than {PDF_TIMEOUT:g} s to read",
        f"{top}/pdfs/c-abort.pdf": "crashed the PDF reader (killed by SIGABRT)",
        f"{top}/shadow.txt": f"symlink leads outside the archive: {outside}/shadow",
        f"{top}/usr": f"symlink leads outside the archive: {outside}/usr",
    }
    assert {path: reported.get(path, "")[: len(reason)] for path, reason in expected.items()} == (
        expected
    )
    too_long = [path for path, reason in reported.items() if "File name too long" in reason]
    assert too_long and all(path.startswith(f"{top}/long/") for path in too_long)
    assert len(reported) == len(expected) + len(too_long)


def test_nothing_from_outside_the_archive_is_indexed(built) -> None:
    _, index, _, _, _ = built
    assert (count(index, "secretword"), count(index, "usrword")) == (0, 0)


def test_the_pdfs_after_the_bad_ones_are_read(built) -> None:
    archive, index, _, _, _ = built
    letter = api.show(f"{archive.resolve()}/pdfs/d-good.pdf", index)
    assert letter.case_number == "CM16-0213037"


def test_memory_and_time_stay_bounded(built, request) -> None:
    _, _, _, peak_mb, seconds = built
    print(f"figures: hostile archive: peak {peak_mb:.0f} MB, {seconds:.1f} s")
    assert peak_mb < MAX_PEAK_MB
    assert seconds < MAX_SECONDS


def test_a_file_that_becomes_a_fifo_after_the_walk_is_refused(tmp_path, monkeypatch) -> None:
    """The walk saw a letter; by the time it is read it is a FIFO: refused, without a hang."""
    archive = tmp_path / "archive"
    make_archive(archive, 10, "alphaword")
    swapped = archive / "batch3" / "letter00003.txt"
    walk = builder.walk_archive

    def walk_then_swap(root, **options):
        found = walk(root, **options)
        swapped.unlink()
        os.mkfifo(swapped)
        return found

    monkeypatch.setattr(builder, "walk_archive", walk_then_swap)
    started = time.monotonic()
    report = api.build(archive, tmp_path / "index", workers=1)
    assert time.monotonic() - started < MAX_SECONDS
    assert [(f.path, f.reason) for f in report.failures] == [(str(swapped), "not a regular file")]
    assert report.letters == 9


def test_follow_symlinks_from_the_cli_and_an_update_keeps_the_builds_choice(tmp_path):
    """A link out of the archive is skipped by default; `--follow-symlinks` reads it; a later
    plain `index update` follows links as the build did, so no letter silently drops out."""
    outside = tmp_path / "outside"
    make_archive(outside, 3, "linkedword")
    archive = tmp_path / "archive"
    make_archive(archive, 2, "homeword")
    (archive / "elsewhere").symlink_to(outside, target_is_directory=True)
    index = tmp_path / "index"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "imrsearch", *args, "--index", str(index)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("index", "build", str(archive)).returncode == 0
    assert api.search("linkedword", index, limit=1).total == 0
    assert any("outside the archive" in e.reason for e in api.errors(index))
    assert run("index", "build", str(archive), "--follow-symlinks").returncode == 0
    linked = api.search("linkedword", index, limit=1).total
    assert linked == 6  # three letters of two items each
    assert run("index", "update").returncode == 0
    assert api.search("linkedword", index, limit=1).total == linked
    assert run("index", "update", "--no-follow-symlinks").returncode == 0
    assert api.search("linkedword", index, limit=1).total == 0
