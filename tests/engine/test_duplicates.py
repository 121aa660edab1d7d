"""One letter, one count: copies of a letter in several files are indexed once and reported.

A copy is a file with the same case number and the same content as one before it in walk order
(a re-download, a PDF and its text). Different letters that share a case number are all kept.
Updates keep the rule when the indexed copy is removed or changed later.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from imrsearch import api
from imrsearch.errors import ImrError
from imrsearch.ingest.archive import load_letter
from imrsearch.render.console import print_report
from imrsearch.vocab.paths import display_path
from tests.engine.test_writer import _documents

SAMPLES = api.samples_dir()
CASE = "CM16-0213037"  # two items, one upheld
FILE = f"{CASE}.pdf"


def shown(path: Path) -> str:
    return display_path(path)


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    """The samples, with the letter of FILE also in `b/` as a copy of the PDF and `c/` as its
    text, written with other line ends and trailing blanks (a text copy of the same letter)."""
    root = tmp_path / "archive"
    shutil.copytree(SAMPLES, root / "a")
    (root / "b").mkdir()
    shutil.copy(SAMPLES / FILE, root / "b" / FILE)
    (root / "c").mkdir()
    text = load_letter(SAMPLES / FILE)[0].text
    (root / "c" / f"{CASE}.txt").write_bytes(text.replace("\n", "  \r\n").encode())
    return root


def fresh(archive: Path, index: Path) -> dict[str, tuple]:
    """The stored documents of a new build of `archive`: what an update must equal."""
    api.build(archive, index, workers=1)
    return _documents(index)


def overturned_first() -> str:
    """The text of FILE with its first item overturned (both are upheld): another letter."""
    letter = load_letter(SAMPLES / FILE)[0]
    assert [d.outcome for d in letter.decisions] == ["upheld", "upheld"]
    return letter.text.replace(": Upheld", ": Overturned", 1)


def decisions_of_case(index: Path, case: str = CASE) -> int:
    return api.search(f"case:{case}", index, limit=None).total


def test_copies_are_indexed_once_and_named_in_the_report(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    report = api.build(archive, index, workers=2)
    first = shown(archive / "a" / FILE)
    copies = {shown(archive / "b" / FILE), shown(archive / "c" / f"{CASE}.txt")}
    assert {d.path: d.reason for d in report.duplicates} == {
        path: f"duplicate of {first}" for path in copies
    }
    assert report.letters == 15
    assert decisions_of_case(index) == len(load_letter(SAMPLES / FILE)[0].decisions) == 2
    assert {(h.path, h.item) for h in api.search(f"case:{CASE}", index).hits} == {
        (first, 1),
        (first, 2),
    }
    assert api.show(CASE, index).path == first  # one letter: no choice to make
    reported = {e.path: e.reason for e in api.errors(index)}
    assert all(reported[path] == f"duplicate of {first}" for path in copies)
    console = Console(file=io.StringIO(), width=200)
    print_report(console, report)
    summary = console.file.getvalue()
    assert re.search(r"Duplicates +2 files: a letter indexed from another file", summary)
    assert "2 duplicate(s) of another file" in summary


def test_different_letters_sharing_a_case_number_are_all_kept(
    archive: Path, tmp_path: Path
) -> None:
    """The same case number with another outcome is another letter: counted, and `show`
    refuses to pick one of the two."""
    (archive / "c" / f"{CASE}.txt").write_text(overturned_first())
    index = tmp_path / "ix"
    report = api.build(archive, index, workers=1)
    assert [d.path for d in report.duplicates] == [shown(archive / "b" / FILE)]
    assert report.letters == 16
    assert decisions_of_case(index) == 4
    with pytest.raises(ImrError, match=f"2 letters match '{CASE}'") as refused:
        api.show(CASE, index)
    assert shown(archive / "c" / f"{CASE}.txt") in str(refused.value)


def test_removing_the_indexed_copy_indexes_the_next(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    (archive / "a" / FILE).unlink()
    report = api.update(None, index, workers=1)
    second = shown(archive / "b" / FILE)
    assert [d.path for d in report.duplicates] == [shown(archive / "c" / f"{CASE}.txt")]
    assert report.duplicates[0].reason == f"duplicate of {second}"
    assert {h.path for h in api.search(f"case:{CASE}", index).hits} == {second}
    assert decisions_of_case(index) == 2
    assert api.build(archive, tmp_path / "fresh", workers=1).duplicates == report.duplicates
    assert _documents(index) == _documents(tmp_path / "fresh")

    shutil.copy(SAMPLES / FILE, archive / "a" / FILE)  # back, first in walk order again
    report = api.update(None, index, workers=1)
    assert {d.path for d in report.duplicates} == {second, shown(archive / "c" / f"{CASE}.txt")}
    assert {h.path for h in api.search(f"case:{CASE}", index).hits} == {shown(archive / "a" / FILE)}
    assert decisions_of_case(index) == 2
    assert _documents(index) == fresh(archive, tmp_path / "fresh-again")


def test_changing_the_indexed_copy_indexes_the_copies_again(archive: Path, tmp_path: Path) -> None:
    """The first file becomes another letter: it and the old letter (from its copy) are both
    indexed, as a fresh build would have them."""
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    (archive / "a" / FILE).unlink()
    (archive / "a" / f"{CASE}.txt").write_text(overturned_first())
    report = api.update(None, index, workers=1)
    assert [d.path for d in report.duplicates] == [shown(archive / "c" / f"{CASE}.txt")]
    assert decisions_of_case(index) == 4
    assert api.search(f"case:{CASE} outcome:overturned", index).total == 1
    assert _documents(index) == fresh(archive, tmp_path / "fresh")


def test_a_new_copy_before_the_indexed_one_takes_its_place(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    (archive / "0").mkdir()
    shutil.copy(SAMPLES / FILE, archive / "0" / FILE)
    report = api.update(None, index, workers=1)
    now = shown(archive / "0" / FILE)
    assert {d.path: d.reason for d in report.duplicates} == {
        shown(archive / "a" / FILE): f"duplicate of {now}",
        shown(archive / "b" / FILE): f"duplicate of {now}",
        shown(archive / "c" / f"{CASE}.txt"): f"duplicate of {now}",
    }
    assert {h.path for h in api.search(f"case:{CASE}", index).hits} == {now}
    assert (report.letters, decisions_of_case(index)) == (15, 2)
    assert _documents(index) == fresh(archive, tmp_path / "fresh")


def test_copies_of_a_letter_without_decisions_are_one_whole_letter(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    (archive / "x").mkdir(parents=True)
    memo = "MEMORANDUM\nRe: Case Number CM99-0000002\nThe quince grove was withdrawn.\n"
    (archive / "x" / "memo.txt").write_text(memo)
    (archive / "y.txt").write_text(memo.replace("\n", " \n\n"))
    (archive / "z.txt").write_text(memo.replace("quince", "pear"))  # another letter
    report = api.build(archive, tmp_path / "ix", workers=1)
    assert [d.path for d in report.duplicates] == [shown(archive / "y.txt")]
    assert [t.path for t in report.text_only] == [
        shown(archive / "x" / "memo.txt"),
        shown(archive / "z.txt"),
    ]
    result = api.search("format:unknown", tmp_path / "ix", limit=None)
    assert (result.total, result.whole_letters) == (2, 2)
