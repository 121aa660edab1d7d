"""Saved searches: kept beside the index through rebuilds, checked on load, and what is new
after an update equals the difference of the query's results before and after it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.errors import ImrError
from tests.reliability.conftest import letter_text, make_archive

QUERY = "outcome:upheld"
ALSO = "valium OR norco"


def keys(index: Path, query: str) -> set[tuple[str, int | None]]:
    """The query's decisions, keyed as a reader names them: the case (or file) and item."""
    with api.open_searcher(index) as searcher:
        return {(h.case_number or h.path, h.item) for h in searcher.iter_hits(query)}


def new_keys(index: Path, name: str, since=None) -> set[tuple[str, int | None]]:
    search = api.saved_search(name, index)
    with api.NewMatches(search, since, index) as view:
        return {(h.case_number or h.path, h.item) for h in view.iter_hits(search.query)}


def news(report, name: str):
    return next(n for n in report.saved if n.name == name)


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path]:
    archive, index = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 30, "alpha")
    api.build(archive, index, workers=1)
    api.save_search("upheld", QUERY, {"sort": "date"}, index)
    return archive, index


def change(archive: Path, add: range, remove: range) -> None:
    for number in add:
        (archive / "batch0" / f"extra{number:05d}.txt").write_text(letter_text(number, "beta"))
    for number in remove:
        for path in archive.rglob(f"letter{number:05d}.txt"):
            path.unlink()


def test_new_counts_equal_the_difference_of_two_result_sets(indexed) -> None:
    archive, index = indexed
    api.save_search("pills", ALSO, {}, index)  # added after the build: compared all the same
    for add, remove in (
        (range(100, 107), range(0)),
        (range(0), range(0, 9)),
        (range(200, 205), range(10, 14)),
    ):
        before = {q: keys(index, q) for q in (QUERY, ALSO)}
        change(archive, add, remove)
        report = api.update(None, index)
        for name, query in (("upheld", QUERY), ("pills", ALSO)):
            after = keys(index, query)
            assert after - before[query] == new_keys(index, name)
            assert news(report, name).new == len(after - before[query])
            assert news(report, name).matched == len(after)
    assert news(report, "upheld").new > 0  # the last round added upheld decisions


def test_a_letter_removed_and_brought_back_is_new_again(indexed) -> None:
    archive, index = indexed
    gone = next(archive.rglob("letter00002.txt"))
    text = gone.read_text()
    gone.unlink()
    assert news(api.update(None, index), "upheld").new == 0
    gone.write_text(text)
    back = keys(index, QUERY)
    report = api.update(None, index)
    assert new_keys(index, "upheld") == keys(index, QUERY) - back != set()
    assert news(report, "upheld").new == len(keys(index, QUERY) - back)


def test_saved_searches_and_their_record_survive_a_rebuild(indexed) -> None:
    archive, index = indexed
    api.update(None, index)
    api.build(archive, index, workers=1)  # nothing changed: nothing new
    assert [s.name for s in api.saved_searches(index)] == ["upheld"]
    assert api.saved_search("upheld", index).options == {"sort": "date"}
    (summary,) = api.saved_news(index)
    assert (summary.matched, summary.new) == (len(keys(index, QUERY)), 0)


def test_since_lists_what_first_matched_on_or_after_a_day(indexed) -> None:
    archive, index = indexed
    change(archive, range(300, 304), range(0))
    api.update(None, index)
    api.update(None, index)  # nothing new in this one
    assert new_keys(index, "upheld") == set()
    # every match was first seen today (UTC): by the build, or by the first update
    today = datetime.now(timezone.utc).date()
    assert new_keys(index, "upheld", today) == keys(index, QUERY) != set()
    assert new_keys(index, "upheld", today + timedelta(days=1)) == set()


def test_the_record_is_inside_the_generation_and_checked_with_it(indexed) -> None:
    _archive, index = indexed
    api.update(None, index)
    live = index / (index / "CURRENT").read_text().strip()
    assert (live / "saved-matches.sqlite").is_file()
    assert "saved-matches.sqlite" in json.loads((live / "generation.json").read_text())["files"]
    assert api.verify(index).problems == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name"),
        ("x" * 81, "at most 80"),
        ("tab\there", r"control character U\+0009"),
        ("esc\x1b[2J", r"control character U\+001B"),
        (" padded", "cannot start or end with a space"),
    ],
)
def test_names_are_checked(indexed, name: str, message: str) -> None:
    _archive, index = indexed
    with pytest.raises(ImrError, match=message):
        api.save_search(name, QUERY, {}, index)


def test_a_query_that_does_not_parse_is_not_saved(indexed) -> None:
    _archive, index = indexed
    with pytest.raises(ImrError):
        api.save_search("broken", "outcome:(", {}, index)
    assert [s.name for s in api.saved_searches(index)] == ["upheld"]


def test_a_name_is_not_overwritten_without_replace(indexed) -> None:
    _archive, index = indexed
    with pytest.raises(ImrError, match="exists"):
        api.save_search("upheld", "valium", {}, index)
    api.save_search("upheld", "valium", {}, index, replace=True)
    assert api.saved_search("upheld", index).query == "valium"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "imrsearch-saved-searches",\n "version": 1,\n "searches": [,]}', "line 3"),
        ('{"format": "other", "version": 1, "searches": []}', "not a saved-searches file"),
        ('{"format": "imrsearch-saved-searches", "version": 2, "searches": []}', "version 2"),
        (
            '{"format": "imrsearch-saved-searches", "version": 1, "searches": [{"name": "a"}]}',
            r"searches\[0\] needs a \"name\" and a \"query\"",
        ),
        (
            '{"format": "imrsearch-saved-searches", "version": 1, "searches": '
            '[{"name": "a", "query": "x", "options": {"limit": "ten"}}]}',
            "option 'limit' must be a int",
        ),
        (
            '{"format": "imrsearch-saved-searches", "version": 1, "searches": '
            '[{"name": "a", "query": "x"}, {"name": "a", "query": "y"}]}',
            "used twice",
        ),
    ],
)
def test_a_damaged_file_is_an_error_that_names_it(indexed, text: str, message: str) -> None:
    archive, index = indexed
    (index / "saved-searches.json").write_text(text)
    with pytest.raises(ImrError, match=message) as raised:
        api.saved_searches(index)
    assert str(index / "saved-searches.json") in raised.value.message
    # the index itself still updates; the damaged file is left as it is
    assert api.update(archive, index).saved == []
    assert (index / "saved-searches.json").read_text() == text


def test_a_write_leaves_no_temporary_files_and_a_readable_file(indexed) -> None:
    _archive, index = indexed
    api.save_search("second", "valium", {"limit": 5, "all": True}, index)
    api.remove_search("upheld", index)
    assert not [p.name for p in index.iterdir() if p.name.startswith("tmp-")]
    data = json.loads((index / "saved-searches.json").read_text())
    assert [s["name"] for s in data["searches"]] == ["second"]
    assert data["searches"][0]["options"] == {"limit": 5, "all": True}


def test_cli_json_shapes(indexed, run) -> None:
    archive, index = indexed
    where = ("--index", str(index))
    done = run("saved", "add", "pills", ALSO, "--limit", "2", *where)
    assert done.code == 0, done.err
    listed = json.loads(run("saved", "list", "--json", *where).out)
    assert [s["name"] for s in listed["searches"]] == ["upheld", "pills"]
    assert listed["searches"][1]["options"] == {"limit": 2}
    assert listed["searches"][1]["last_update"] is None  # not recorded before an update
    change(archive, range(400, 403), range(0))
    updated = json.loads(run("index", "update", "--json", *where).out)
    assert {s["name"]: s["new"] for s in updated["saved"]} == {
        "pills": len(new_keys(index, "pills")),
        "upheld": len(new_keys(index, "upheld")),
    }
    assert set(updated["saved"][0]) == {"name", "query", "matched", "new", "error", "recorded"}
    ran = json.loads(run("saved", "run", "pills", "--json", *where).out)
    assert len(ran["hits"]) == 2 and ran["total"] == len(keys(index, ALSO))  # saved --limit
    assert (
        len(json.loads(run("saved", "run", "pills", "--json", "--all", *where).out)["hits"])
        == ran["total"]
    )
    fresh = json.loads(run("saved", "new", "upheld", "--json", *where).out)
    assert fresh["total"] == len(new_keys(index, "upheld")) == len(fresh["hits"])
    assert {
        h["case"] if "case" in h else h["path"] for h in fresh["hits"]
    }  # hits shaped as query's
    assert set(fresh) == set(json.loads(run("query", QUERY, "--json", *where).out))
    listed = json.loads(run("saved", "list", "--json", *where).out)
    assert listed["searches"][1]["last_update"]["matched"] == ran["total"]


def test_cli_plain_saved_new_counts_what_is_new(indexed, run) -> None:
    """The count line says how many are new and since when, not the query's own count."""
    archive, index = indexed
    where = ("--index", str(index))
    change(archive, range(400, 403), range(0))
    (record,) = api.update(archive, index).saved
    new, total = len(new_keys(index, "upheld")), len(keys(index, QUERY))
    assert 0 < new < total
    stamp = datetime.fromisoformat(record.recorded).astimezone(timezone.utc)
    plain = run("saved", "new", "upheld", "--all", *where)
    assert plain.code == 0, plain.err
    assert (
        f"{new} new matching decision{'s' if new != 1 else ''} since the last update"
        f" ({stamp:%Y-%m-%d %H:%M} UTC) (showing {new}," in plain.out
    )
    day = stamp.date().isoformat()
    since = run("saved", "new", "upheld", "--since", day, "--all", *where).out
    assert f" new matching decision{'s' if new != 1 else ''} since {day} (showing " in since
    assert f"{total} matching decisions" in run("saved", "run", "upheld", "--all", *where).out


def test_cli_errors_and_removal(indexed, run) -> None:
    _archive, index = indexed
    where = ("--index", str(index))
    missing = run("saved", "run", "nope", *where)
    assert missing.code == 2 and "no saved search named 'nope'" in missing.err
    since = run("saved", "new", "upheld", "--since", "yesterday", *where)
    assert since.code == 2 and "YYYY-MM-DD" in since.err
    unrecorded = run("saved", "new", "upheld", *where)
    assert unrecorded.code == 2 and "index update" in unrecorded.err
    hostile = run("saved", "add", "a\x1b]0;x\x07", "valium", *where)
    assert hostile.code == 2 and "\x1b" not in hostile.err
    assert run("saved", "remove", "upheld", *where).code == 0
    assert run("saved", "list", "--json", *where).out.strip() == '{"searches": []}'
