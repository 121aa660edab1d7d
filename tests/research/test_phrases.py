"""`phrases` on the real letters and on a generated archive: the passages listed, with counts
checked by scanning the matching rationales directly."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine import phrases as phrases_module
from imrsearch.engine.phrases import g2, sentences
from imrsearch.engine.schema import break_between
from imrsearch.model import Phrase

ROOT = Path(__file__).resolve().parents[2]
QUERY = "class:benzodiazepine outcome:upheld"
GENERATE = ("--letters", "300", "--seed", "3", "--workers", "1")
_WORD = re.compile(r"\w+(?:\.?\w+)*")


def rationales(searcher: api.OpenIndex, query: str) -> list[tuple[str, str]]:
    """(rationale words, outcome) of every matching decision, read from the letters."""
    found = []
    for hit in searcher.iter_hits(query):
        decision = searcher.letter(hit.path).decisions[hit.item - 1]
        words = " ".join(_WORD.findall(decision.rationale.lower()))
        found.append((f" {words} ", decision.outcome))
    return found


def check_counts(searcher: api.OpenIndex, query: str, listed: list[Phrase]) -> None:
    scanned = rationales(searcher, query)
    for p in listed:
        holding = [outcome for words, outcome in scanned if f" {p.text} " in words]
        assert p.decisions == len(holding), p.text
        assert p.upheld == holding.count("upheld"), p.text
        assert p.overturned == holding.count("overturned"), p.text
        assert searcher.search(p.query, limit=0).total == p.decisions, p.query
        assert 0 <= p.elsewhere <= 1, p.text


def test_real_benzodiazepine_language_with_direct_counts(real_index: Path) -> None:
    with api.open_searcher(real_index) as searcher:
        report = searcher.phrases(QUERY, limit=10)
        assert report.total == 8
        check_counts(searcher, QUERY, report.phrases)
    top = [p.text for p in report.phrases[:3]]
    assert "long term efficacy is unproven and there is a risk of dependence" in top
    assert "most guidelines limit use to 4 weeks" in top
    assert [p.score for p in report.phrases] == sorted(
        (p.score for p in report.phrases), reverse=True
    )
    assert all(p.decisions >= 2 for p in report.phrases)


def test_by_outcome_splits_add_up(real_index: Path) -> None:
    query = "outcome:upheld OR outcome:overturned"
    with api.open_searcher(real_index) as searcher:
        report = searcher.phrases(query, limit=5, by_outcome=True)
        listed = [p for side in report.by_outcome.values() for p in side]
        check_counts(searcher, query, listed)
    assert set(report.by_outcome) == {"upheld", "overturned"}
    assert all(p.upheld + p.overturned == p.decisions for p in listed)
    upheld_side, overturned_side = report.by_outcome["upheld"], report.by_outcome["overturned"]
    assert upheld_side[0].text == "is not medically necessary"
    assert any("is medically" in p.text for p in overturned_side[:2])
    assert all(p.uphold_rate == 0 for p in overturned_side[:3])


def test_sentences_split_where_the_index_does() -> None:
    text = "Use is limited. Dr. Smith agreed; e.g. weaning.\n\nNew paragraph here"
    assert list(sentences(text)) == [
        ["use", "is", "limited"],
        ["dr", "smith", "agreed", "e.g", "weaning"],
        ["new", "paragraph", "here"],
    ]


def split_word_by_word(text: str) -> list[list[str]]:
    """The sentences of `text` found by looking at the gap before every word."""
    lowered, found, words, previous_end = text.lower(), [], [], None
    for match in _WORD.finditer(lowered):
        start = match.start()
        gap = lowered[previous_end:start] if previous_end is not None else " "
        if gap != " " and break_between(text, previous_end, start, words[-1]):
            found.append(words)
            words = []
        words.append(match.group())
        previous_end = match.end()
    return [*found, words] if words else found


TRICKY = ("e.g. Next", "3.5 mg. Then", " .5 mg", "a..b C", "x.\nY", "U.S. Army. The", "ok?! Yes")
TRICKY += ("\n\nA b.", "a. b. C.", "x._y. Z", ". A", "..", ".a. B", "a . B", "a\n \nb", "ß. Ärzte")


def test_sentences_split_as_a_look_at_every_gap_does(real_letters) -> None:
    texts = [d.rationale for letter in real_letters for d in letter.decisions] + list(TRICKY)
    assert len(texts) > 50
    for text in texts:
        assert list(sentences(text)) == split_word_by_word(text), text


def test_g2_is_zero_without_a_difference_and_grows_with_one() -> None:
    assert g2(10, 10, 90, 90) == pytest.approx(0.0)
    assert g2(20, 5, 80, 95) > g2(15, 10, 85, 90) > 0


@pytest.fixture(scope="module")
def generated_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated letters: known phrases ("no provision to modify") injected at known
    rates into opioid and benzodiazepine rationales, which the real letters have once."""
    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(out), *GENERATE],
        check=True,
        capture_output=True,
    )
    index = tmp_path_factory.mktemp("generated-index")
    api.build(out / "letters", index, workers=1)
    return index


def test_tapering_language_among_the_top_passages(generated_index: Path) -> None:
    """Among the 20 passages listed by default (measured: "request to allow tapering" 11th,
    "there is no provision to modify the" 18th, below the guideline's own benzodiazepine
    language, because the archive also puts them in opioid decisions)."""
    with api.open_searcher(generated_index) as searcher:
        report = searcher.phrases(QUERY)
        check_counts(searcher, QUERY, report.phrases)
    found = [p.text for p in report.phrases]
    assert any("no provision to modify" in text for text in found), found
    assert any("taper" in text or "weaning" in text for text in found), found


def test_cli_outputs(run, real_index: Path) -> None:
    done = run("phrases", QUERY, "-i", str(real_index), "-n", "3", "--json")
    assert done.code == 0
    data = json.loads(done.out)
    assert data["total"] == 8 and len(data["phrases"]) == 3
    assert data["phrases"][0]["query"].startswith(f"({QUERY}) AND rationale:")
    done = run("phrases", QUERY, "-i", str(real_index), "-n", "3", "--csv", "--by", "outcome")
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert {r["side"] for r in rows} <= {"upheld", "overturned"}
    done = run("phrases", QUERY, "-i", str(real_index), "-n", "2")
    assert done.code == 0 and "most guidelines limit use to 4 weeks" in " ".join(done.out.split())
    assert run("phrases", QUERY, "-i", str(real_index), "--by", "year").code == 2
    assert run("phrases", "drug:nosuchdrug", "-i", str(real_index)).code == 1


BROAD = "class:benzodiazepine OR class:opioid"


def test_sampled_discovery_finds_the_passages_and_counts_them_exactly(
    generated_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a sample of 30 of the 81 matches the injected passages (each in at least 12 of
    them) are still found, and every count shown is the count over all the matches."""
    monkeypatch.setattr(phrases_module, "SAMPLE", 30)
    with api.open_searcher(generated_index) as searcher:
        report = searcher.phrases(BROAD, limit=40)
        again = searcher.phrases(BROAD, limit=40)
        check_counts(searcher, BROAD, report.phrases)
        by_outcome = searcher.phrases(BROAD, limit=10, by_outcome=True)
        check_counts(searcher, BROAD, [p for side in by_outcome.by_outcome.values() for p in side])
    assert report.sampled == 30 < report.total
    assert [p.text for p in again.phrases] == [p.text for p in report.phrases]
    found = [p.text for p in report.phrases]
    assert any("no provision to modify" in text for text in found), found
    assert any("taper" in text or "weaning" in text for text in found), found


def test_elsewhere_is_the_exact_share_when_the_background_is_every_decision(
    generated_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phrases_module, "BACKGROUND", 10**6)
    with api.open_searcher(generated_index) as searcher:
        report = searcher.phrases(QUERY, limit=8)
        everywhere = searcher.search("NOT drug:nosuchdrug", limit=0).total
        for p in report.phrases:
            holding = searcher.search(f'rationale:"{p.text}"', limit=0).total
            share = (holding - p.decisions) / (everywhere - report.total)
            assert p.elsewhere == pytest.approx(share), p.text
    assert report.phrases and report.sampled == report.total
