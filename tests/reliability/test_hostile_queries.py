"""Queries and letters built to make a search slow or its answer wrong: a letter where every word
matches, letters that fake highlights, wildcards and fuzzy terms that stand for most of the
vocabulary, boosts that change what matches, a search that runs out of time. Each either
answers in full, quickly, or fails with a message; none answers with fewer hits."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text

from imrsearch import api
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError, QueryError
from imrsearch.model import Hit
from imrsearch.render.console import MATCH_STYLE, marked
from imrsearch.render.machine import hit_dict, write_csv
from imrsearch.tui.widgets import hit_label
from tests.reliability.conftest import cli, letter_text, make_archive

ORDINARY = 30  # ordinary letters of two items each, beside the hostile ones
EVERY_WORD = 60_000  # "medically" that many times: a rationale of about 600 KB
# Generous on a loaded machine: the quadratic snippet took 58 s on this letter.
BOUND_SECONDS = 15.0
# More than the TUI row's lead before the match, so the row cuts the snippet and moves its spans.
FAKES = (
    "opening words of some length to be cut from the row, then the sentinel"
    " \x02faked\x03 [bracketed] words \x02 and \x03 [x]"
)
VOCABULARY = 400  # distinct words zz000 ... zz399 in one rationale


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-queries")
    archive = root / "archive"
    make_archive(archive / "ordinary", ORDINARY, "ordinary")
    letters = {
        "every-word.txt": " ".join(["medically"] * EVERY_WORD),
        "fakes.txt": FAKES,
        "vocabulary.txt": " ".join(f"zz{n:03d}" for n in range(VOCABULARY)),
    }
    for number, (name, rationale) in enumerate(letters.items(), start=ORDINARY):
        (archive / name).write_text(letter_text(number, rationale, items=1))
    assert (archive / "every-word.txt").stat().st_size > 590_000
    api.build(archive, root / "index", workers=1)
    return root / "index"


@pytest.fixture(scope="module")
def searcher(index: Path) -> Iterator[Searcher]:
    with api.open_searcher(index) as opened:
        yield opened


def keys(hits: list[Hit]) -> set[tuple[str, int]]:
    return {(Path(h.path).name, h.item) for h in hits}


def highlighted(text: Text) -> list[str]:
    return [text.plain[s.start : s.end] for s in text.spans if s.style == MATCH_STYLE]


# --- 1. snippets are linear in the matches ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "medically",
        '"medically medically"',
        'rationale:"medically medically" medically',
        # connectors pair each place with its nearest partner, not every place with every other
        "medically /s medically",
        "medically w/5 medically",
    ],
)
def test_a_letter_where_every_word_matches_answers_quickly(searcher, text):
    started = time.perf_counter()
    result = searcher.search(text, limit=None)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_SECONDS, f"{text}: {elapsed:.1f} s"
    hit = next(h for h in result.hits if h.path.endswith("every-word.txt"))
    assert hit.snippet.spans
    assert all(set(hit.snippet.text[a:b].split()) == {"medically"} for a, b in hit.snippet.spans)


# --- 2. highlights are data beside the text --------------------------------------------------


def test_markers_and_brackets_in_a_letter_fake_no_highlight(searcher, index):
    """The letter holds \\x02 \\x03 (the old in-band markers) and [brackets]: in the snippet, the
    rich view, the TUI row, JSON (in-process and from the command) and CSV only the word the
    query matched is highlighted."""
    [hit] = searcher.search("sentinel").hits
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.spans] == ["sentinel"]
    assert highlighted(marked(hit.snippet)) == ["sentinel"]
    row = hit_label(hit).renderables[1]
    assert row.plain.startswith("…") and highlighted(row) == ["sentinel"]

    def check_json(data: dict) -> None:
        [[start, end]] = data["highlights"]
        snippet = data["snippet"]
        assert snippet[start - 1 : end + 1] == "[sentinel]"
        assert "[bracketed]" in snippet and "[x]" in snippet

    check_json(hit_dict(hit))
    done = cli("query", "sentinel", "--json", "--index", str(index))
    assert done.returncode == 0, done.stderr
    [from_command] = json.loads(done.stdout)["hits"]
    check_json(from_command)

    out = io.StringIO()
    write_csv([hit], out)
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert "sentinel" in row["snippet"] and "[sentinel]" not in row["snippet"]
    assert row["snippet"].count("[") == 2


# --- 3. wildcards, fuzzy terms and ranges are bounded; so is the time a search takes ---------


@pytest.mark.parametrize(
    ("text", "named", "at", "hint"),
    [
        ("outcome:upheld zz*", "'zz*'", "zz*", "more letters"),
        ("outcome:upheld rationale:ZZ000~2", "'zz000~2'", "ZZ000~2", "fewer edits"),
        ("zz0* zz1* zz2* zz3*", "'zz3*'", "zz3*", "more letters"),
        (" ".join(f"zz{n}00~2" for n in range(4)), "'zz000~2'", "zz000~2", "fewer edits"),
        ("rationale:[zz000 TO zz399]", "[zz000 TO zz399]", None, "narrow"),
    ],
)
def test_terms_that_stand_for_too_many_words_are_refused(searcher, text, named, at, hint):
    started = time.perf_counter()
    with pytest.raises(QueryError) as refused:
        searcher.search(text)
    assert time.perf_counter() - started < BOUND_SECONDS
    assert named in refused.value.message
    assert hint in refused.value.hint
    assert refused.value.position == (None if at is None else text.index(at))


@pytest.mark.parametrize("text", ["zz0* zz1* zz2*", "rationale:zz000~1", "zz1*", "zz39*"])
def test_terms_within_the_bounds_answer(searcher, text):
    """300 words in all (the total bound) and fewer: the vocabulary letter, exactly once."""
    assert keys(searcher.search(text, limit=None).hits) == {("vocabulary.txt", 1)}


def test_a_search_out_of_time_fails_instead_of_answering_short(index, searcher):
    want = searcher.search("medically", limit=None).total
    assert want == 2 * ORDINARY + 3
    with Searcher(IndexStore(index), time_limit=0.0) as hurried:
        for attempt in (
            lambda: hurried.search("medically", limit=None),
            lambda: list(hurried.iter_hits("medically")),
        ):
            with pytest.raises(ImrError) as stopped:
                attempt()
            assert not isinstance(stopped.value, QueryError)
            assert "no results are shown" in stopped.value.message and stopped.value.hint


# --- 4. boosts reorder, never change what matches --------------------------------------------


@pytest.mark.parametrize("boost", ["^0", "^-1", "^1e30", "^0.0", "^101", "^"])
def test_boosts_that_would_change_the_matches_are_refused(searcher, boost):
    text = f"valium{boost} OR ordinary"
    with pytest.raises(QueryError) as refused:
        searcher.search(text)
    assert refused.value.position == text.index("^")
    assert "100" in refused.value.hint


@pytest.mark.parametrize("boost", ["^2", "^0.5", "^100", "^.01"])
def test_a_boost_leaves_the_matches_alone(searcher, boost):
    plain = searcher.search("valium OR sentinel", limit=None)
    boosted = searcher.search(f"valium{boost} OR sentinel", limit=None)
    assert plain.total > 1
    assert boosted.total == plain.total
    assert keys(boosted.hits) == keys(plain.hits)
