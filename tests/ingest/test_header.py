"""The page-1 header table, as three PDF text extractors lay it out."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from imrsearch.ingest import header
from imrsearch.model import Letter
from tests.ingest.expected import CORPUS, HEADER_FIELDS, corpus_expected

EXPECTED = corpus_expected
# A spread of letters; every letter goes through PDFium in test_corpus.py.
CASES = sorted(EXPECTED)[::11]
FIELDS = HEADER_FIELDS


def _first_page_pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path), maxpages=1)


def _first_page_pypdf(path: Path) -> str:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    reader.decrypt("")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return reader.pages[0].extract_text()


def _read(text: str) -> dict:
    letter = Letter(path="x")
    cut = text.find("HOW THE IMR")
    header.read_into(text[: cut if cut > 0 else len(text)], letter)
    data = letter.to_dict()
    return {name: data[name] for name in FIELDS}


@pytest.mark.parametrize("extract", [_first_page_pdfminer, _first_page_pypdf])
@pytest.mark.parametrize("case", CASES)
def test_header_from_other_extractors(case: str, extract) -> None:
    text = extract(CORPUS / f"{case}.pdf")
    assert _read(text) == {name: EXPECTED[case][name] for name in FIELDS}


def test_scrambled_layout_value_before_label() -> None:
    """pdfminer prints label columns, then value columns, one value ahead of its label."""
    text = (
        "Case Number: \nDate Assigned: \nDecision Date: \nPriority:  \n\n"
        "CM16-0213037 \n11/09/2016 \n12/09/2016 \nStandard \n\n"
        "10/13/2016 \nDate of Injury:  \nUR Denial Date:   11/03/2016 \n11/04/2016 \n"
        "Application \nReceived:  \n"
    )
    assert _read(text) == {
        "case_number": "CM16-0213037",
        "date_assigned": "2016-11-09",
        "decision_date": "2016-12-09",
        "date_of_injury": "2016-10-13",
        "ur_denial_date": "2016-11-03",
        "application_received": "2016-11-04",
        "priority": "Standard",
    }


def test_label_broken_across_lines_with_value_after() -> None:
    text = "Priority: Standard Application \nReceived: \n11/03/2016\n"
    got = _read(text)
    assert got["priority"] == "Standard"
    assert got["application_received"] == "2016-11-03"


def test_no_header_leaves_fields_empty() -> None:
    assert set(_read("just a paragraph about 11/09/2016").values()) == {None}
