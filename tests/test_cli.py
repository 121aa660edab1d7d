"""`imrsearch query` and `imrsearch show` through the real entry point: output, exit codes, errors.

Commands run in-process through `cli.main` (which turns errors into a message and exit 2), plus a
few subprocess runs end to end. Expected values come from the parsed letters, not from the index.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine.registry import FIELDS
from imrsearch.model import Decision, Letter
from imrsearch.vocab.categories import age_band, categorize, month_of, topic_of

DESIGN_CARD = 'outcome:upheld drug:valium "no provision to modify"'
README = Path(__file__).parent.parent / "README.md"
F_SETPIPE_SZ = 1031  # Linux fcntl command; not exported by Python 3.10


@pytest.fixture
def query(run, samples_index):
    """`imrsearch query TEXT ARGS --index <samples index>`."""
    return lambda text, *args: run("query", text, "--index", str(samples_index), *args)


@pytest.fixture
def show(run, samples_index):
    """`imrsearch show --index <samples index> ARGS`."""
    return lambda *args: run("show", "--index", str(samples_index), *args)


def key(source: str, number: int) -> tuple[str, int]:
    return Path(source).name, number


def rows(letters: list[Letter], predicate) -> list[tuple[Letter, Decision]]:
    return [(lt, d) for lt in letters for d in lt.decisions if predicate(lt, d)]


def design_card(letter: Letter, d: Decision) -> bool:
    return (
        d.outcome == "upheld"
        and any(x.generic == "diazepam" for x in d.drugs)
        and "no provision to modify" in " ".join(d.rationale.lower().split())
    )


def letter_named(letters: list[Letter], case: str) -> Letter:
    return next(lt for lt in letters if lt.case_number == case)


def folded(text: str) -> str:
    return " ".join(text.split())


# ---- --json ----------------------------------------------------------------------------------

HIT_TYPES = {
    "case_number": (str, type(None)),
    "path": str,
    "item": int,
    "service": str,
    "outcome": str,
    "drugs": list,
    "score": (int, float),
    "snippet": str,
    "highlights": list,
}


def test_json_design_card(query, parsed_samples):
    """One object: the query, the total, each hit with its decision's values, the facets."""
    done = query(DESIGN_CARD, "--json", "--facet", "outcome,drug,specialty,year,source")
    assert done.code == 0, done.err
    data = json.loads(done.out)
    want = {key(lt.path, d.number): (lt, d) for lt, d in rows(parsed_samples, design_card)}
    assert data["query"] == DESIGN_CARD
    assert data["total"] == len(want) == len(data["hits"])
    for hit in data["hits"]:
        for name, kind in HIT_TYPES.items():
            assert isinstance(hit[name], kind), name
        letter, d = want[key(hit["path"], hit["item"])]
        assert hit["case_number"] == letter.case_number
        assert (hit["service"], hit["outcome"]) == (d.service, d.outcome)
        assert hit["drugs"] == [x.name for x in d.drugs]
        assert "[no provision to modify]" in hit["snippet"]
        marked = [hit["snippet"][a - 1 : b + 1] for a, b in hit["highlights"]]
        assert "[no provision to modify]" in marked
        assert all(m.startswith("[") and m.endswith("]") for m in marked)
    assert list(data["facets"]) == ["outcome", "drug", "specialty", "year", "source"]


def _facet_values(letter: Letter, d: Decision, name: str) -> set[str]:
    year = {str(letter.decision_date.year)} if letter.decision_date else set()
    return {
        "outcome": {d.outcome},
        "drug": {x.generic for x in d.drugs},
        "class": {x.drug_class for x in d.drugs},
        "specialty": set(letter.reviewer.specialties),
        "year": year,
        "source": {c.source for c in d.guidelines},
        "sex": {letter.patient.sex} if letter.patient.sex else set(),
        "format": {letter.format},
        "state": set(letter.reviewer.states),
        "category": {categorize(d.service, d.drugs)[0]},
        "subcategory": {categorize(d.service, d.drugs)[1]},
        "month": {month_of(letter.decision_date)} if letter.decision_date else set(),
        "ageband": {age_band(letter.patient.age)} if letter.patient.age is not None else set(),
        "topic": {topic_of(c.topic) for c in d.guidelines},
    }[name]


def test_facet_tables_say_where_counts_can_overlap(query, parsed_samples):
    """The registry says which facets can count a decision twice; the tables say so, and a
    facet whose decisions hold several values in the samples is one of them."""
    facets = [f for f in FIELDS if f.facet]
    done = query("format:d", "--facet", ",".join(f.name for f in facets), "--facet-limit", "100")
    assert done.code == 0, done.err
    tables = dict(re.findall(r"^by (\w+) *\n(.*?)(?=^by \w+ *$|\Z)", done.out, re.M | re.S))
    everything = rows(parsed_samples, lambda lt, d: True)
    for field in facets:
        note = "values can overlap: a decision can count under several, so the counts may add up"
        assert (note in " ".join(tables[field.name].split())) == field.overlap, field.name
        if any(len(_facet_values(lt, d, field.name)) > 1 for lt, d in everything):
            assert field.overlap, field.name
    summed = {
        f.name: sum(len(_facet_values(lt, d, f.name)) for lt, d in everything) for f in facets
    }
    assert any(summed[f.name] > len(everything) for f in facets if f.overlap)


@pytest.mark.parametrize(
    ("text", "predicate"),
    [(DESIGN_CARD, design_card), ("format:d", lambda lt, d: lt.format == "D")],
    ids=["design-card", "everything"],
)
def test_json_facets_count_the_matched_decisions(query, parsed_samples, text, predicate):
    names = ("outcome", "drug", "specialty", "year", "source")
    done = query(text, "--json", "--facet", ",".join(names), "--facet-limit", "100")
    assert done.code == 0, done.err
    facets = json.loads(done.out)["facets"]
    matched = rows(parsed_samples, predicate)
    for name in names:
        counts = Counter(v for lt, d in matched for v in _facet_values(lt, d, name))
        upheld = Counter(
            v for lt, d in matched if d.outcome == "upheld" for v in _facet_values(lt, d, name)
        )
        got = {
            v["value"]: (v["count"], v["upheld"], v["uphold_rate"]) for v in facets[name]["values"]
        }
        assert got == {
            value: (n, upheld[value], round(upheld[value] / n, 4)) for value, n in counts.items()
        }, name


def test_facets_mark_the_values_the_query_requires(query):
    data = json.loads(query("valium result:upheld", "--json", "--facet", "outcome,source").out)
    marked = {
        (name, v["value"]): v["selected"] for name, f in data["facets"].items() for v in f["values"]
    }
    assert marked[("outcome", "upheld")] is True
    assert not any(selected for key, selected in marked.items() if key != ("outcome", "upheld"))
    shown = query("valium result:upheld", "--facet", "outcome,source").out
    assert "✓ upheld" in shown and "✓ required by the query" in shown
    assert "✓ mtus" not in shown


def test_json_total_counts_decisions_not_letters(query, parsed_samples):
    decisions = len(letter_named(parsed_samples, "CM16-0248698").decisions)
    data = json.loads(query("case:CM16-0248698", "--json", "--limit", "5").out)
    assert data["total"] == decisions
    assert len(data["hits"]) == 5


@pytest.mark.parametrize(("args", "shown"), [((), None), (("--limit", "5"), 5), (("--all",), None)])
def test_json_exports_every_hit_unless_a_limit_is_asked_for(query, parsed_samples, args, shown):
    everything = len(rows(parsed_samples, lambda lt, d: True))
    assert everything > 20  # more than a terminal page
    data = json.loads(query("format:d", "--json", *args).out)
    assert data["total"] == everything
    assert len(data["hits"]) == (shown or everything)


def test_csv_exports_every_hit_by_default(query, parsed_samples):
    """`--csv > file` once wrote 20 rows of 87 without a word: the row count is the total."""
    table = read_csv(query("format:d", "--csv").out)
    total = json.loads(query("format:d", "--json").out)["total"]
    assert len(table) == total == len(rows(parsed_samples, lambda lt, d: True))
    assert len(read_csv(query("format:d", "--csv", "--limit", "3").out)) == 3


def test_terminal_shows_a_page_and_says_how_to_see_the_rest(query, parsed_samples):
    done = query("format:d")
    everything = len(rows(parsed_samples, lambda lt, d: True))
    assert done.out.count(" item ") == 20
    assert f"{everything} matching decisions (showing 20" in done.out
    assert "--limit N or --all" in done.out


# ---- --csv -----------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_citation_of_a_known_decision(query, parsed_samples):
    assert letter_named(parsed_samples, "CM16-0213037").decision_date == date(2016, 12, 9)
    done = query("case:CM16-0213037", "--csv")
    assert done.code == 0, done.err
    citations = {row["item"]: row["citation"] for row in read_csv(done.out)}
    assert citations["2"] == "CM16-0213037, item 2 (decided 2016-12-09)"


def _cited(letter_decision: Decision) -> str:
    return "; ".join(
        f"{c.source.upper()}: {c.topic}" + (f", p. {', '.join(c.pages)}" if c.pages else "")
        for c in letter_decision.guidelines
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def test_csv_carries_the_letter_level_columns_of_every_row(query, parsed_samples):
    """Every row has the decision's and its letter's values a researcher filters on, each as
    the parser reads it from the letter; the row count is the total."""
    want = {key(lt.path, d.number): (lt, d) for lt, d in rows(parsed_samples, lambda lt, d: True)}
    table = read_csv(query("format:d", "--csv").out)
    assert len(table) == json.loads(query("format:d", "--json").out)["total"] == len(want)
    for row in table:
        letter, d = want[key(row["path"], int(row["item"]))]
        assert row["decision_date"] == _day(letter.decision_date)
        assert row["date_of_injury"] == _day(letter.date_of_injury)
        assert row["specialty"] == "; ".join(letter.reviewer.specialties)
        assert row["state"] == "; ".join(letter.reviewer.states)
        assert row["age"] == ("" if letter.patient.age is None else str(letter.patient.age))
        assert row["sex"] == (letter.patient.sex or "")
        assert row["guideline_sources"] == "; ".join(dict.fromkeys(c.source for c in d.guidelines))
        assert row["guidelines"] == _cited(d)
    # the columns are filled where the letters have the values, and empty where they do not
    for column in ("decision_date", "date_of_injury", "specialty", "state", "age", "sex"):
        assert {bool(row[column]) for row in table} >= {True}, column
    assert {bool(row["guidelines"]) for row in table} >= {True}


def test_json_hits_carry_the_same_letter_level_values(query, parsed_samples):
    want = {key(lt.path, d.number): (lt, d) for lt, d in rows(parsed_samples, lambda lt, d: True)}
    hits = json.loads(query("format:d", "--json").out)["hits"]
    assert len(hits) == len(want)
    for hit in hits:
        letter, d = want[key(hit["path"], hit["item"])]
        assert hit["date_of_injury"] == (_day(letter.date_of_injury) or None)
        assert (hit["specialties"], hit["states"]) == (
            letter.reviewer.specialties,
            letter.reviewer.states,
        )
        assert (hit["age"], hit["sex"]) == (letter.patient.age, letter.patient.sex)
        assert hit["guidelines"] == [
            {"source": c.source, "topic": c.topic, "pages": list(c.pages)} for c in d.guidelines
        ]


def test_csv_all_is_one_row_per_decision(query, parsed_samples):
    want = {key(lt.path, d.number) for lt, d in rows(parsed_samples, lambda lt, d: True)}
    table = read_csv(query("format:d", "--csv", "--all").out)
    assert len(table) == len(want)
    assert {key(row["path"], int(row["item"])) for row in table} == want
    assert all(row["citation"] for row in table)


# ---- human output, sorting -------------------------------------------------------------------


def test_results_for_people(query, parsed_samples):
    letter = letter_named(parsed_samples, "CM16-0213037")
    done = query("case:CM16-0213037")
    assert done.code == 0, done.err
    assert all(d.service in done.out for d in letter.decisions)
    assert f"{len(letter.decisions)} matching decisions" in done.out


def test_sort_by_date_shows_the_newest_decision_first(query, parsed_samples):
    upheld = rows(parsed_samples, lambda lt, d: d.outcome == "upheld" and lt.decision_date)
    newest = max(lt.decision_date for lt, _ in upheld)
    data = json.loads(query("outcome:upheld", "--sort", "date", "--limit", "1", "--json").out)
    assert data["hits"][0]["decision_date"] == newest.isoformat()


HEAD = re.compile(
    r"^\S+  item \d+(?:  decided (?P<day>\S+)|(?P<undated>  undated \(last\)))?"
    r"  (?:UPHELD|OVERTURNED|—)(?:  score (?P<score>\S+))?$",
    re.M,
)


def test_sort_by_date_prints_each_date_and_no_score(query, parsed_samples):
    """Sorted by date, the score is the sort key (-20170223.00): the date is shown instead."""
    everything = rows(parsed_samples, lambda lt, d: True)
    days = sorted(
        (lt.decision_date for lt, _ in everything),
        key=lambda day: (day is None, -day.toordinal() if day else 0),
    )
    heads = list(HEAD.finditer(query("format:d", "--sort", "date", "--all").out))
    assert [h["day"] or None for h in heads] == [day and day.isoformat() for day in days]
    assert [bool(h["undated"]) for h in heads] == [day is None for day in days]
    assert not any(h["score"] for h in heads)
    by_relevance = list(HEAD.finditer(query("format:d", "--all").out))
    assert len(by_relevance) == len(everything)
    assert all(float(h["score"]) >= 0 and not h["undated"] for h in by_relevance)


# ---- errors ----------------------------------------------------------------------------------

MALFORMED = [
    ('drug:valium "no provision', '"no', "quote"),
    ("drug:valium)", ")", "')'"),
    ("(drug:valium", "(", "'('"),
    ("drug:valium foo:bar", "foo:", "unknown field 'foo'"),
    ("outcome:upheld drug:", "drug:", "no value"),
    ("decided:2016-13-01", "2016-13-01", "not a date"),
    ("age:abc", "abc", "abc"),
    ("*a*", "*a*", "wildcard"),
    ("", "", "empty"),
]


@pytest.mark.parametrize(("text", "anchor", "words"), MALFORMED, ids=[q for q, _, _ in MALFORMED])
def test_malformed_query_exits_2_with_a_caret(query, text, anchor, words):
    done = query(text)
    assert done.code == 2
    assert done.out == ""
    assert "Traceback" not in done.err
    assert "error:" in done.err and words in done.err
    lines = done.err.splitlines()
    caret = next((i for i, line in enumerate(lines) if line.strip() == "^"), None)
    assert caret is not None, "no caret line"
    assert lines[caret - 1].rstrip() == f"  {text}".rstrip()
    assert lines[caret].index("^") == 2 + text.index(anchor)


def test_unknown_field_suggests_the_fields(query):
    done = query("colour:red")
    assert done.code == 2
    assert all(re.search(rf"\b{f.name}\b", done.err) for f in FIELDS)


def test_no_hits_says_so_on_stderr(query):
    done = query("zzyzxqq")
    assert (done.code, done.out) == (1, "")
    assert "No decisions match" in done.err


def test_no_hits_as_json(query):
    done = query("zzyzxqq", "--json")
    assert done.code == 1
    data = json.loads(done.out)
    assert (data["total"], data["hits"]) == (0, [])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--json", "--csv"), "--json"),
        (("--facet", "colour"), "colour"),
        (("--sort", "oldest"), "oldest"),
        (("--limit", "0"), "--limit"),
    ],
)
def test_bad_options_exit_2(query, args, words):
    done = query("drug:valium", *args)
    assert done.code == 2
    assert words in done.err and "Traceback" not in done.err


# ---- missing or unusable index ---------------------------------------------------------------


def test_index_info_without_an_index_says_how_to_build(run, tmp_path):
    missing = tmp_path / "nonexistent" / "dir"
    done = run("index", "info", "--index", str(missing))
    assert done.code == 2
    assert "imrsearch index build" in folded(done.err)
    assert "Traceback" not in done.err
    assert not missing.exists()


@pytest.mark.parametrize(
    "args",
    [("query", "drug:valium"), ("show", "CM16-0213037"), ("index", "info"), ("index", "errors")],
    ids=lambda a: " ".join(a),
)
def test_unusable_index_says_how_to_build(run, tmp_path, args):
    """A folder with a generation but no CURRENT is not rebuilt from the samples behind its back."""
    (tmp_path / "gen-000001").mkdir()
    done = run(*args, "--index", str(tmp_path))
    assert done.code == 2
    assert "imrsearch index build" in folded(done.err)
    assert "Traceback" not in done.err


@pytest.mark.parametrize("args", [("query", "drug:valium"), ("show", "CM16-0213037")])
def test_empty_folder_gets_the_samples_index(run, tmp_path, monkeypatch, args):
    """The embedded default: no --index, no index in ./index → one is built from the bundled
    samples, announced."""
    monkeypatch.chdir(tmp_path)
    done = run(*args)
    assert done.code == 0, done.err
    assert "bundled samples" in done.err
    assert (tmp_path / "index" / "CURRENT").is_file()


def test_index_folder_that_cannot_be_made(run, tmp_path):
    (tmp_path / "a-file").write_text("")
    done = run("query", "drug:valium", "--index", str(tmp_path / "a-file" / "index"))
    assert done.code == 2
    assert "Traceback" not in done.err


# ---- show ------------------------------------------------------------------------------------


def titles(out: str) -> list[tuple[int, str]]:
    return [(int(n), word) for n, word in re.findall(r"Item (\d+) +(UPHELD|OVERTURNED)", out)]


def test_show_prints_the_letter_sectioned(show, parsed_samples):
    letter = letter_named(parsed_samples, "CM16-0248698")
    done = show("CM16-0248698")
    assert done.code == 0, done.err
    assert letter.case_number in done.out
    assert "Clinical case summary" in done.out
    assert titles(done.out) == [(d.number, d.outcome.upper()) for d in letter.decisions]


def test_show_one_decision(show, parsed_samples):
    item = letter_named(parsed_samples, "CM16-0248698").decisions[3]
    done = show("CM16-0248698", "--decision", "4")
    assert done.code == 0, done.err
    assert titles(done.out) == [(4, item.outcome.upper())]
    assert item.service in done.out


def test_show_a_partial_authorisation_names_its_three_requests(show, parsed_samples):
    partial = rows(parsed_samples, lambda lt, d: bool(d.original_request))
    assert partial
    for letter, d in partial:
        done = show(letter.path, "--decision", str(d.number))
        assert done.code == 0, done.err
        lines = {" ".join(line.strip("│ ").split()) for line in done.out.splitlines()}
        assert f"Item {d.eligible_request}" in lines
        assert f"Original request {d.original_request}" in lines
        assert f"Authorized {d.authorized_request}" in lines


def test_show_by_source_path(show, parsed_samples):
    seed = parsed_samples[0]
    done = show(seed.path)
    assert done.code == 0, done.err
    assert titles(done.out) == [(d.number, d.outcome.upper()) for d in seed.decisions]


def test_show_json_is_the_letter(show, parsed_samples):
    letter = letter_named(parsed_samples, "CM16-0213037")
    data = json.loads(show("cm16-0213037", "--json").out)
    assert data["case_number"] == letter.case_number
    assert data["decision_date"] == letter.decision_date.isoformat()
    assert [(d["number"], d["service"], d["outcome"]) for d in data["decisions"]] == [
        (d.number, d.service, d.outcome) for d in letter.decisions
    ]
    assert data["text"]


def test_show_json_one_decision(show):
    data = json.loads(show("CM16-0213037", "--json", "--decision", "2").out)
    assert [d["number"] for d in data["decisions"]] == [2]


def test_show_query_highlights_its_words(show, parsed_samples, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    seed = parsed_samples[0]
    assert "tapering" in seed.decisions[0].rationale
    styled = re.compile(r"\x1b\[[0-9;]*mtapering")
    assert styled.search(show(seed.path, "--query", "rationale:tapering").out)
    assert not styled.search(show(seed.path).out)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("CM99-0000000",), "CM99-0000000"),
        (("CM16-0213037", "--decision", "9"), "2 item(s)"),
        (("CM16-0213037", "--query", '"unclosed'), "quote"),
    ],
    ids=["unknown-case", "no-such-item", "bad-query"],
)
def test_show_errors_exit_2(show, args, words):
    done = show(*args)
    assert done.code == 2
    assert words in done.err and "Traceback" not in done.err


# ---- docs ------------------------------------------------------------------------------------


def test_query_help_names_the_index_default(run):
    assert "IMRSEARCH_INDEX" in run("query", "--help").out


# ---- end to end ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [(DESIGN_CARD, 0), ("age:>=40 decided:>=2017-01-01", 0), ("zzyzxqq", 1), ('"unclosed', 2)],
    ids=["hit", "ranges", "none", "bad"],
)
def test_console_script_exit_codes(samples_index, text, code):
    done = subprocess.run(
        [sys.executable, "-m", "imrsearch", "query", text, "--index", str(samples_index), "--csv"],
        capture_output=True,
        text=True,
        env={**os.environ, api.ENV_INDEX: "", "COLUMNS": "200", "NO_COLOR": "1"},
        timeout=60,
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [("query", "format:d", "--all"), ("query", "format:d", "--csv"), ("show", "CM16-0248698")],
    ids=["query", "csv", "show"],
)
def test_a_reader_that_goes_away_ends_quietly_on_the_match_state(samples_index, args):
    """`imrsearch query ... | head -1`: exit 0 (it matched), no traceback, as ripgrep does."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)  # a small pipe, so the writer meets the close
    proc = subprocess.Popen(
        [sys.executable, "-m", "imrsearch", *args, "--index", str(samples_index)],
        stdout=write_end,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"},
    )
    os.close(write_end)
    assert os.read(read_end, 200)
    os.close(read_end)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert b"Traceback" not in stderr and b"Exception" not in stderr


def test_json_by_date_has_no_score_and_facets_say_where_counts_overlap(query):
    by_date = json.loads(query("format:d", "--json", "--sort", "date", "--facet", "drug,year").out)
    assert by_date["hits"] and all(hit["score"] is None for hit in by_date["hits"])
    dates = [hit["decision_date"] or "" for hit in by_date["hits"]]
    assert dates == sorted(dates, reverse=True)  # newest first, undated ("") last
    assert by_date["facets"]["drug"]["overlap"] is True
    assert by_date["facets"]["year"]["overlap"] is False
    by_relevance = json.loads(query("format:d", "--json").out)
    assert all(isinstance(hit["score"], float) for hit in by_relevance["hits"])
