"""Letters with no parsed decision are found, as one hit each, and labelled so in every view.

The archive is the samples plus two letters the parser cannot split into items: a memo in a
layout it does not know, and a real letter (a sample's text, another case number) cut off
before its items. Expected sets come from the letters as the parser reads them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from imrsearch import api, cli
from imrsearch.ingest.archive import LETTER_SUFFIXES, load_letter
from imrsearch.model import Letter
from tests.engine.test_totals import QUERIES, everything, expected, has_words, hits, same

MEMO_PHRASE = "the almond orchard request was withdrawn"
MEMO = f"""MEMORANDUM
To: claims file
Re: Case Number CM99-0000001
Note: {MEMO_PHRASE} before review by telephone.
The shoulder complaint is not medically necessary to discuss further.
"""
ITEMLESS_CASE = "CM16-0999999"


def make_archive(root: Path) -> Path:
    """The samples, the memo, and the letter cut off before its items, in `root`."""
    shutil.copytree(api.samples_dir(), root)
    (root / "memo.txt").write_text(MEMO)
    text = load_letter(api.samples_dir() / "CM16-0213037.pdf")[0].text
    cut = text.index("IMR ISSUES, DECISIONS AND RATIONALES") + 36
    (root / "itemless.txt").write_text(text[:cut].replace("CM16-0213037", ITEMLESS_CASE))
    return root


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_archive(tmp_path_factory.mktemp("whole") / "archive")


@pytest.fixture(scope="module")
def index(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("whole-index")
    api.build(archive, path, workers=1)
    return path


@pytest.fixture(scope="module")
def letters(archive: Path) -> list[Letter]:
    files = sorted(p for p in archive.iterdir() if p.suffix in LETTER_SUFFIXES)
    return [load_letter(p)[0] for p in files]


def named(letters: list[Letter], name: str) -> Letter:
    return next(lt for lt in letters if lt.path.endswith("/" + name))


def test_the_two_letters_have_no_decisions(letters) -> None:
    memo, itemless = named(letters, "memo.txt"), named(letters, "itemless.txt")
    assert (memo.format, memo.case_number, memo.decisions) == ("unknown", "CM99-0000001", [])
    assert (itemless.format, itemless.case_number, itemless.decisions) == ("D", ITEMLESS_CASE, [])
    assert itemless.decision_date and itemless.summary and itemless.reviewer.specialties


def test_a_phrase_finds_the_memo_as_a_whole_letter(index, letters) -> None:
    memo = named(letters, "memo.txt")
    with api.open_searcher(index) as searcher:
        result = searcher.search(f'"{MEMO_PHRASE}"', limit=None)
    assert (result.total, result.whole_letters) == (1, 1)
    [hit] = result.hits
    assert (hit.path, hit.item, hit.service, hit.outcome) == (memo.path, None, "", "")
    assert hit.citation() == "CM99-0000001, whole letter"
    [(start, end)] = hit.snippet.spans
    assert hit.snippet.text[start:end] == MEMO_PHRASE


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("format:unknown", "memo.txt"),
        ("layout:unknown", "memo.txt"),
        ("case:CM99-0000001", "memo.txt"),
        (f"case:{ITEMLESS_CASE}", "itemless.txt"),
        ('"scapulothoracic syndrome" NOT case:CM16-0213037', "itemless.txt"),
    ],
)
def test_letter_fields_find_a_letter_without_decisions(index, letters, text, name) -> None:
    with api.open_searcher(index) as searcher:
        assert hits(searcher, text)[1] == {(named(letters, name).path, None)}


@pytest.mark.parametrize(
    ("text", "on_letter"),
    [
        ("decided:2016-12-09", lambda lt: lt.decision_date == date(2016, 12, 9)),
        (
            "summary:contusion specialty:family",
            lambda lt: (
                has_words(lt.summary, "contusion") and "Family Practice" in lt.reviewer.specialties
            ),
        ),
    ],
)
def test_letter_fields_find_decisions_and_whole_letters_together(
    index, letters, text, on_letter
) -> None:
    """A letter-level clause matches the decisions of the letters that have the value, and a
    letter with the value that has none (the summary through its letter, as for decisions)."""
    want = expected(letters, lambda lt, d: on_letter(lt), on_letter)
    with api.open_searcher(index) as searcher:
        total, found = hits(searcher, text)
    assert (named(letters, "itemless.txt").path, None) in found
    assert any(item is not None for _, item in found)
    assert found == want and total == len(want)


@pytest.mark.parametrize("text", list(QUERIES))
def test_totals_count_each_letter_without_decisions_once(index, letters, text) -> None:
    want = expected(letters, *QUERIES[text])
    with api.open_searcher(index) as searcher:
        result = searcher.search(text, limit=None)
        found = {(h.path, h.item) for h in result.hits}
    assert found == want
    assert result.total == len(want)
    assert result.whole_letters == sum(1 for _, item in want if item is None)


def test_negation_takes_in_the_whole_letters(index, letters) -> None:
    with api.open_searcher(index) as searcher:
        assert hits(searcher, "NOT outcome:upheld")[1] == everything(letters) - expected(
            letters, *QUERIES["outcome:upheld"]
        )
        not_said = {
            (lt.path, None)
            for lt in letters
            if not lt.decisions and not has_words(lt.text, "not", "medically", "necessary")
        }
        found = hits(searcher, 'format:unknown OR case:CM16-0999999 NOT "not medically necessary"')
        assert found[1] == not_said


def test_an_update_that_deletes_letters_keeps_whole_letters_found(tmp_path: Path) -> None:
    """Deleted documents stay in the segments after an update: the letter joins must skip them
    and still find a letter without decisions next to them."""
    archive = make_archive(tmp_path / "archive")
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    (archive / "CM16-0213037.pdf").unlink()  # the letter the itemless one was cut from
    (archive / "memo.txt").write_text(MEMO.replace("almond", "walnut"))  # read again
    api.update(None, index, workers=1)
    letters = [load_letter(p)[0] for p in sorted(archive.iterdir())]
    queries = {
        "summary:contusion": same(lambda lt: has_words(lt.summary, "contusion")),
        "format:unknown": same(lambda lt: lt.format == "unknown"),
        "shoulder": QUERIES["shoulder"],
    }
    with api.open_searcher(index) as searcher:
        for text, predicates in queries.items():
            want = expected(letters, *predicates)
            assert any(item is None for _, item in want), text
            assert hits(searcher, text)[1] == want, text
        assert hits(searcher, '"walnut orchard"')[1] == {(named(letters, "memo.txt").path, None)}
        assert hits(searcher, '"almond orchard"') == (0, set())


# ---- the views ------------------------------------------------------------------------------


@pytest.fixture
def run(capsys, monkeypatch, index):
    """`imrsearch query TEXT ARGS --index INDEX` through `cli.main`: (exit code, stdout)."""
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(text: str, *args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["imrsearch", "query", text, "--index", str(index), *args])
        with pytest.raises(SystemExit) as stop:
            cli.main()
        return stop.value.code or 0, capsys.readouterr().out

    return invoke


def test_json_gives_a_whole_letter_item_null(run, letters) -> None:
    code, out = run(f'"{MEMO_PHRASE}" OR case:CM16-0213037', "--json")
    assert code == 0
    data = json.loads(out)
    decisions = len(named(letters, "CM16-0213037.pdf").decisions)
    assert (data["total"], data["whole_letters"]) == (decisions + 1, 1)
    [whole] = [h for h in data["hits"] if h["item"] is None]
    assert whole["path"] == named(letters, "memo.txt").path
    assert whole["citation"] == "CM99-0000001, whole letter"
    assert f"[{MEMO_PHRASE}]" in whole["snippet"]
    assert all(isinstance(h["item"], int) for h in data["hits"] if h is not whole)


def test_csv_gives_a_whole_letter_an_empty_item(run, letters) -> None:
    itemless = named(letters, "itemless.txt")
    code, out = run(f"case:{ITEMLESS_CASE}", "--csv")
    assert code == 0
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["item"] == "" and row["outcome"] == "" and row["service"] == ""
    assert row["citation"] == f"{ITEMLESS_CASE}, whole letter (decided 2016-12-09)"
    assert row["decision_date"] == "2016-12-09" == itemless.decision_date.isoformat()
    assert row["specialty"] == "; ".join(itemless.reviewer.specialties)
    assert row["age"] == str(itemless.patient.age)


def test_terminal_labels_a_whole_letter_and_counts_it_apart(run) -> None:
    code, out = run("format:unknown OR case:CM16-0213037")
    assert code == 0
    assert "CM99-0000001  whole letter" in out
    assert "no items found: the passage is from the letter's text" in out
    assert "3 matches: 2 decisions and 1 whole letter (no items found)" in out


def test_show_reads_a_letter_without_decisions(index, letters) -> None:
    shown = api.show(ITEMLESS_CASE, index)
    assert shown.text == named(letters, "itemless.txt").text and shown.decisions == []
