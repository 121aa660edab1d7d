"""Citations: the whole sentence(s) of each passage, the page, the item, in one style."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imrsearch import api
from imrsearch.engine.passages import passage
from imrsearch.model import Highlight

QUERIES = ("tapering", "opioids", '"functional improvement"', "MRI", "acupuncture", "weaning")
_ENDS = re.compile(r"[.?!][\"')\]]*$")


def _all_hits(index: Path):
    with api.open_searcher(index) as searcher:
        for query in QUERIES:
            for hit in searcher.search(query, limit=None).hits:
                yield hit, searcher.letter(hit.path)


def test_no_citation_of_a_real_letter_cuts_a_sentence(corpus_index: Path) -> None:
    checked = 0
    for hit, letter in _all_hits(corpus_index):
        assert hit.passage is not None and hit.item is not None
        decision = letter.decisions[hit.item - 1]
        field = {"rationale": decision.rationale, "service": decision.service}[hit.passage.section]
        quoted = hit.passage.text
        at = field.find(quoted)
        assert at >= 0, (hit.path, quoted)
        before = field[:at].rstrip()
        # the passage opens a sentence: the field starts there, or a sentence ended before it
        assert not before or _ENDS.search(before) or quoted[0] in "\"'([", (hit.path, quoted)
        assert quoted[0].isupper() or quoted[0] in "\"'([" or not before
        # and closes one: the field ends there, or it ends with a sentence's end
        assert at + len(quoted) == len(field.rstrip()) or _ENDS.search(quoted), (hit.path, quoted)
        assert not hit.passage.cut_before and not hit.passage.cut_after
        block = api.cite(hit)
        assert f'"{quoted}"' in block and "…" not in block
        checked += 1
    assert checked >= 100


words = st.sampled_from(["pain", "valium", "taper", "dose", "is", "the", "opioid", "x-ray"])
sentence = st.lists(words, min_size=1, max_size=12).map(
    lambda ws: ws[0].capitalize() + " " + " ".join(ws[1:])
)
sentences = st.lists(sentence.map(lambda s: s.strip() + "."), min_size=1, max_size=12)


@given(sentences, st.sampled_from(["valium", "taper", "dose"]))
def test_a_passage_is_always_whole_sentences(parts: list[str], word: str) -> None:
    text = " ".join(parts)
    found = passage(text, Highlight(frozenset({word})), [(0, 1)], "rationale")
    assert found is not None
    holding = [p for p in parts if word in re.findall(r"[\w-]+", p.lower())]
    if not holding:
        assert found.text == parts[0]  # nothing matched: the opening sentence
        return
    # a run of whole sentences from the input, holding the matches it marks
    runs = {" ".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
    assert found.text in runs
    assert all(found.text[s:e].lower() == word for s, e in found.spans) and found.spans


def test_text_and_markdown_styles(corpus_index: Path) -> None:
    with api.open_searcher(corpus_index) as searcher:
        hit = searcher.search('"tapering opioids"', limit=1).hits[0]
    assert hit.passage is not None and hit.decision_date is not None
    text = api.cite(hit, "text")
    head, quote, source = text.splitlines()
    assert head.startswith(f"{hit.case_number}, item {hit.item} ({hit.service}; {hit.outcome})")
    assert f"decided {hit.decision_date.isoformat()}" in head and head.endswith(":")
    assert re.search(r", pp?\. \d+(-\d+)?:$", head)
    assert quote == f'"{hit.passage.text}"' and source == f"Source: {hit.path}"
    markdown = api.cite(hit, "markdown")
    assert markdown.startswith(f"**{hit.case_number}**, item {hit.item} (*")
    assert "\n\n> " in markdown
    with pytest.raises(ValueError):
        api.cite(hit, "html")


def test_cite_on_the_command_line_and_to_a_new_file(run, corpus_index: Path, tmp_path) -> None:
    code, out, _ = run("query", "tapering", "--cite", "-n", "3", "--index", str(corpus_index))
    assert code == 0 and out.count("\nSource: ") == 3
    target = tmp_path / "cites.md"
    args = ("query", "tapering", "--cite-format", "markdown", "--cite-file", str(target))
    code, _, err = run(*args, "--index", str(corpus_index))
    with api.open_searcher(corpus_index) as searcher:
        total = searcher.search("tapering", limit=0).total
    assert code == 0 and f"{total:,} citation(s) written" in err
    assert target.read_text().count("\n> ") == total
    code, _, err = run(*args, "--index", str(corpus_index))  # never overwritten
    assert code == 2 and "exists" in err and target.read_text().count("\n> ") == total
    link = tmp_path / "link.txt"
    os.symlink(tmp_path / "elsewhere.txt", link)
    code, _, err = run("query", "tapering", "--cite-file", str(link), "--index", str(corpus_index))
    assert code == 2 and not (tmp_path / "elsewhere.txt").exists()
