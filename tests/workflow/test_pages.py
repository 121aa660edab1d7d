"""Pages: each section and each hit's passage knows the page(s) of the letter it stands on."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from pypdf import PdfReader

from imrsearch import api
from imrsearch.ingest.parser import parse_text
from imrsearch.model import page_marks, pages_between, pin

_WORD = re.compile(r"[a-z0-9]+")
QUERIES = (
    "tapering",
    "opioids",
    '"medically necessary"',
    "weaning",
    "functional improvement",
    '"physical therapy"',
    "MRI",
    "benzodiazepine",
    "acupuncture",
)


@functools.cache
def _pdf_pages(path: str) -> list[list[str]]:
    """Each page's words as pypdf reads the PDF page by page (not PDFium, which the index
    reads it with)."""
    return [_WORD.findall(page.extract_text().lower()) for page in PdfReader(path).pages]


def _run_at(words: list[str], run: list[str]) -> list[int]:
    return [i for i in range(len(words) - len(run) + 1) if words[i : i + len(run)] == run]


def test_passages_stand_on_the_pages_a_pdf_reader_shows(corpus_index: Path) -> None:
    checked = later_pages = spanning = 0
    with api.open_searcher(corpus_index) as searcher:
        for query in QUERIES:
            for hit in searcher.search(query, limit=8).hits:
                passage = hit.passage
                assert passage is not None and passage.pages, (query, hit.path)
                pages = _pdf_pages(hit.path)
                first, last = passage.pages[0], passage.pages[-1]
                # the pages from first to last as one run of words, each word's page known
                words = [w for n in range(first, last + 1) for w in pages[n - 1]]
                page_of = [n for n in range(first, last + 1) for _ in pages[n - 1]]
                quoted = _WORD.findall(passage.text.lower())
                head, tail = quoted[:8], quoted[-8:]
                starts = _run_at(words, head)
                ends = [i + len(tail) - 1 for i in _run_at(words, tail)]
                assert any(page_of[i] == first for i in starts), (hit.path, passage)
                assert any(page_of[i] == last for i in ends), (hit.path, passage)
                checked += 1
                later_pages += first > 1
                spanning += last > first
    assert checked >= 20
    assert later_pages >= 10 and spanning >= 1  # not only first pages, and breaks crossed


def test_a_text_letter_keeps_its_form_feeds_and_its_pages(parsed_samples) -> None:
    letter = next(s for s in parsed_samples if s.path.endswith(".txt") and s.decisions)
    rationale = letter.decisions[-1].rationale
    words = rationale.split()
    runs = (words[i : i + 4] for i in range(len(words) // 2, len(words) - 4))
    found = (list(re.finditer(r"\s+".join(map(re.escape, run)), letter.text)) for run in runs)
    once = next(places[0] for places in found if len(places) == 1)
    middle, at = " ".join(once.group().split()), once.start()  # a break mid-rationale
    paged = parse_text(letter.text[:at] + "\f" + letter.text[at:], letter.path, strict=True)
    assert paged.text.count("\f") == letter.text.count("\f") + 1
    marks = paged.decisions[-1].pages["rationale"]
    second = marks[-1][1]
    assert len(marks) >= 2 and paged.decisions[-1].rationale[marks[-1][0] :].startswith(middle)
    assert pages_between(marks, 0, len(rationale)) == (second - 1, second)


def test_pages_between_and_pins() -> None:
    marks = page_marks("one\ftwo\fthree")
    assert marks == [(0, 1), (4, 2), (8, 3)]
    assert pages_between(marks, 0, 3) == (1,)
    assert pages_between(marks, 2, 5) == (1, 2)
    assert pages_between(marks, 4, 13) == (2, 3)
    assert pages_between([], 0, 3) == ()
    assert (pin((2,)), pin((2, 3)), pin(())) == ("p. 2", "pp. 2-3", "")


def test_show_marks_page_breaks(run, corpus_index: Path) -> None:
    with api.open_searcher(corpus_index) as searcher:
        hit = next(
            h
            for h in searcher.search("opioids", limit=None).hits
            if h.passage and len(h.passage.pages) > 1
        )
        letter = searcher.letter(hit.path)
    decision = next(d for d in letter.decisions if len(d.pages.get("rationale", [])) > 1)
    code, out, _ = run("show", hit.path, "--index", str(corpus_index))
    assert code == 0
    page = decision.pages["rationale"][1][1]
    assert f"[page {page}]" in out
    assert f"pp. {page - 1}-{page}" in out
