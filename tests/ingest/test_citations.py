"""parse_citations against guideline fields copied from real IMR letters (seeds and the DWC
2016-17 corpus), plus the older styles docs/FORMATS.md describes and a never-raises property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imrsearch.ingest.citations import parse_citations
from imrsearch.model import Citation

SOURCES = {"mtus", "acoem", "odg", "other"}

# (field text as extracted, [(source, topic substring, pages), ...] in order)
REAL_CASES: list[tuple[str, list[tuple[str, str, tuple[str, ...]]]]] = [
    (
        "Decision based on MTUS Chronic Pain Treatment \n\n"
        "Guidelines Benzodiazepines Page(s): 24. \n",
        [("mtus", "Chronic Pain Treatment Guidelines Benzodiazepines", ("24",))],
    ),
    (
        "Decision based on MTUS Chronic Pain Treatment Guidelines \n\n"
        "Opiods Page(s): 92, 78-80, 124.   \n",
        [("mtus", "Opiods", ("92", "78-80", "124"))],
    ),
    (
        "Decision based on MTUS Chronic Pain Treatment Guidelines 9792.20 - 9792.26, Page 80.",
        [("mtus", "Chronic Pain Treatment Guidelines", ("80",))],
    ),
    (
        "Decision based on MTUS Chronic Pain Treatment Guidelines \n\n"
        "Benzodiazepines. p24 Page(s): 24.   \n",
        [("mtus", "Benzodiazepines", ("24",))],
    ),
    (
        "Decision based on MTUS Chronic Pain Treatment Guidelines \n\n"
        "Carisoprodol (Soma), 29 Page(s): 29.   \n",
        [("mtus", "Carisoprodol (Soma)", ("29",))],
    ),
    (
        "Decision based on MTUS Chronic Pain Treatment Guidelines Opioids, \n\n"
        "On-Going Management, 78 Page(s): 78.   \n",
        [("mtus", "Opioids, On-Going Management", ("78",))],
    ),
    (
        "Decision based on MTUS Chronic Pain Treatment Guidelines Benzodiazepines Page(s): 24. "
        "Decision based on Non-MTUS Citation ODG, Pain, Anxiety medications in chronic pain.",
        [
            ("mtus", "Benzodiazepines", ("24",)),
            ("odg", "Pain, Anxiety medications in chronic pain", ()),
        ],
    ),
    (
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Topical "
        "analgesics.\n",
        [("mtus", "Chronic Pain Medical Treatment 2016, Topical analgesics", ())],
    ),
    (
        "Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.9 Opioids for Chronic "
        "Pain and Chronic Opioid Treatment: Maintenance of Chronic Opioid Treatment.\n",
        [("mtus", "Opioid Treatment 2016, 3.3.9 Opioids for Chronic Pain", ())],
    ),
    (
        "Decision based on MTUS Shoulder Complaints 2004, Section(s): Special Studies.\n",
        [("mtus", "Shoulder Complaints 2004, Special Studies", ())],
    ),
    (
        "Decision based on MTUS Shoulder Complaints 2004, Section(s): Initial Care. Decision "
        "based on Non-MTUS Citation Official Disability Guidelines (ODG) Shoulder, Manipulation.",
        [
            ("mtus", "Shoulder Complaints 2004, Initial Care", ()),
            ("odg", "Shoulder, Manipulation", ()),
        ],
    ),
    (
        " Decision based on MTUS Low Back Complaints 2004, Section(s): \nSummary, and Chronic "
        "Pain Medical Treatment 2016, Section(s): Facet blocks. Decision based \non Non-MTUS "
        "Citation ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Low Back \n"
        "Disorders, pg. 607.\n",
        [
            ("mtus", "Low Back Complaints 2004, Summary", ()),
            ("mtus", "Chronic Pain Medical Treatment 2016, Facet blocks", ()),
            ("acoem", "Low Back Disorders", ("607",)),
        ],
    ),
    (
        " Decision based on MTUS Forearm, Wrist, and Hand \nComplaints 2004, Section(s): "
        "Work-Relatedness, and Postsurgical Treatment 2009, Section(s): \nForearm, Wrist, & "
        "Hand, and Chronic Pain Medical Treatment 2016, Section(s): Physical \nmedicine "
        "treatment. Decision based on Non-MTUS Citation Official Disability Guidelines, "
        "\x0cForearm, Wrist, and Hand Chapter (Online Version): Physical/Occupational Therapy, "
        "Official \nDisability Guidelines, Physical/Occupational Therapy Guidelines: Trigger "
        "Finger.\n",
        [
            ("mtus", "Forearm, Wrist, and Hand Complaints 2004, Work-Relatedness", ()),
            ("mtus", "Postsurgical Treatment 2009, Forearm, Wrist, & Hand", ()),
            ("mtus", "Chronic Pain Medical Treatment 2016, Physical medicine treatment", ()),
            ("odg", "Forearm, Wrist, and Hand Chapter (Online Version)", ()),
            ("odg", "Physical/Occupational Therapy Guidelines: Trigger Finger", ()),
        ],
    ),
    (
        " The Claims Administrator based their decision on \nrecommendation(s) outside of the "
        "MTUS Guidelines. Decision based on Non-MTUS Citation \nACOEM Guidelines, Chapter 7, "
        "Independent Medical Examinations and Consultations, page \n137.\n",
        [("acoem", "Chapter 7, Independent Medical Examinations and Consultations", ("137",))],
    ),
    (
        "Decision based on MTUS Chronic Pain Medical Treatment 2009, Section(s): Physical "
        "Medicine. Decision based on Non-MTUS Citation American College of Occupational and "
        "Environmental Medicine (ACOEM) Pain, Suffering, and the Restoration of Function Chapter.",
        [
            ("mtus", "Chronic Pain Medical Treatment 2009, Physical Medicine", ()),
            ("acoem", "Pain, Suffering, and the Restoration of Function Chapter", ()),
        ],
    ),
    (
        "The Claims Administrator based their decision on recommendation(s) outside of the MTUS "
        "Guidelines. Decision based on Non-MTUS Citation http://www.drugs.com/famotidine.html.",
        [("other", "http://www.drugs.com/famotidine.html", ())],
    ),
    (
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
        "Guidelines. Decision based on Non-MTUS Citation What is an electrocardiogram? National "
        "Heart, Lung, and Blood Institute, Department of Health and Human Services. "
        "http://www.nhlbi.nih.gov/health/health-topics/topics/ekg, accessed 02/18/2017, Benditt "
        "D, et al. Syncope in adults: Clinical manifestations and diagnostic evaluation. Topic "
        "969, version 21.0. UpToDate, accessed 02/18/2017.",
        [("other", "UpToDate, accessed 02/18/2017", ())],
    ),
    (
        # \x02 is how the PDF text renders the hyphen of "Non-MTUS" broken across lines.
        "Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods, Special "
        "Studies, Surgical Considerations, Summary. Decision based on Non\x02MTUS Citation "
        "Official Disability Guidelines (ODG) Low Back (Thoracic and Lumbar, Acute and Chronic) "
        "Chapter, Epidural Steroid Injection (ESI) and Other Medical Treatment Guidelines "
        "www.mdguidelines.com.",
        [
            ("mtus", "Low Back Complaints 2004, Physical Methods, Special Studies", ()),
            ("odg", "Low Back (Thoracic and Lumbar, Acute and Chronic) Chapter", ()),
            ("other", "www.mdguidelines.com", ()),
        ],
    ),
    (
        "Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods. "
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Low back, "
        "Lumbar & Thoracic (Acute & Chronic) - Manipulation Harris J. Occupational medicine "
        "practice guidelines, 2nd edition (2004) p 301.",
        [
            ("mtus", "Low Back Complaints 2004, Physical Methods", ()),
            ("odg", "Low back, Lumbar & Thoracic (Acute & Chronic) - Manipulation", ("301",)),
        ],
    ),
    (
        "The Claims Administrator based their decision on recommendation(s) outside of the MTUS "
        "Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines, "
        "Shoulder (updated 12/12/16); ODG, Low Back (updated 12/20/16).",
        [
            ("odg", "Shoulder (updated 12/12/16)", ()),
            ("odg", "Low Back (updated 12/20/16)", ()),
        ],
    ),
    (
        "Decision based on MTUS Chronic Pain Medical Treatment \n2016, Section(s): Manual therapy "
        "& manipulation. Decision based on Non-MTUS Citation \nOfficial Disability Guidelines "
        "(ODG) Neck and Upper Back (Acute and Chronic) Manipulation \nand ODG Chiropractic "
        "Guidelines.\n",
        [
            ("mtus", "Manual therapy & manipulation", ()),
            ("odg", "Neck and Upper Back (Acute and Chronic) Manipulation", ()),
            ("odg", "Chiropractic Guidelines", ()),
        ],
    ),
    (
        "Decision based on MTUS Low Back Complaints 2004, and Opioid Treatment 2016. Decision "
        "based on Non-MTUS Citation Official Disability Guidelines (ODG).",
        [
            ("mtus", "Low Back Complaints 2004", ()),
            ("mtus", "Opioid Treatment 2016", ()),
            ("odg", "", ()),
        ],
    ),
    (
        "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special "
        "Studies, and Chronic Pain Medical Treatment 2016, Section(s): Electro\x02diagnostic "
        "testing (EMG/NCS).",
        [
            ("mtus", "Neck and Upper Back Complaints 2004, Special Studies", ()),
            ("mtus", "Electro-diagnostic testing (EMG/NCS)", ()),
        ],
    ),
    (
        # Nothing names the source, so it cannot be told from a journal citation.
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
        "Guidelines. Decision based on Non-MTUS Citation Low Back (Hyperstimulation analgesia).",
        [("other", "Low Back (Hyperstimulation analgesia)", ())],
    ),
]

# Older styles docs/FORMATS.md and the 2013-15 letters describe, written to their pattern.
OLDER_CASES: list[tuple[str, list[tuple[str, str, tuple[str, ...]]]]] = [
    (
        "MTUS: ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 12, Low Back Complaints, "
        "pages 303-305",
        [("acoem", "Chapter 12, Low Back Complaints", ("303-305",))],
    ),
    (
        "Official Disability Guidelines (ODG), Pain Chapter",
        [("odg", "Pain Chapter", ())],
    ),
    (
        "MTUS Chronic Pain Medical Treatment Guidelines, Opioids, pages 78 - 80, page 24, p24, "
        "pg. 80",
        [("mtus", "Chronic Pain Medical Treatment Guidelines, Opioids", ("78-80", "24", "80"))],
    ),
    (
        "The Expert Reviewer based his/her decision on the MTUS Chronic Pain Medical Treatment "
        "Guidelines, Benzodiazepines, page 24.",
        [("mtus", "Chronic Pain Medical Treatment Guidelines, Benzodiazepines", ("24",))],
    ),
]


def _check(text: str, expected: list[tuple[str, str, tuple[str, ...]]]) -> None:
    got = parse_citations(text)
    assert [(c.source, c.pages) for c in got] == [(s, p) for s, _, p in expected], got
    for citation, (_, topic, _) in zip(got, expected, strict=True):
        assert topic in citation.topic, citation


@pytest.mark.parametrize(("text", "expected"), REAL_CASES)
def test_real_citations(text: str, expected: list[tuple[str, str, tuple[str, ...]]]) -> None:
    _check(text, expected)


@pytest.mark.parametrize(("text", "expected"), OLDER_CASES)
def test_older_styles(text: str, expected: list[tuple[str, str, tuple[str, ...]]]) -> None:
    _check(text, expected)


def test_exact_records_for_the_documented_examples() -> None:
    assert parse_citations(
        "Decision based on MTUS Chronic Pain Treatment Guidelines Benzodiazepines Page(s): 24."
    ) == [Citation("mtus", "Chronic Pain Treatment Guidelines Benzodiazepines", ("24",))]
    assert parse_citations(
        "Decision based on MTUS Shoulder Complaints 2004, Section(s): Special Studies."
    ) == [Citation("mtus", "Shoulder Complaints 2004, Special Studies")]


def test_duplicate_pages_are_kept_once() -> None:
    text = (
        "Decision based on MTUS Chronic Pain Treatment Guidelines Benzodiazepines, page 24 "
        "Page(s): 24."
    )
    assert parse_citations(text) == [
        Citation("mtus", "Chronic Pain Treatment Guidelines Benzodiazepines", ("24",))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "The Claims Administrator did not cite any medical evidence for its decision.",
        "The Expert Reviewer did not cite any medical evidence for its \ndecision.\n",
        "The Claims Administrator based their decision on recommendation(s) outside of the MTUS "
        "Guidelines.",
        "Decision based on Non-MTUS Citation.",
    ],
)
def test_fields_citing_nothing(text: str) -> None:
    assert parse_citations(text) == []


_FRAGMENTS = st.sampled_from(
    [
        "Decision based on ",
        "MTUS ",
        "Non-MTUS Citation ",
        "Non\x02MTUS ",
        "ODG",
        "Official Disability Guidelines (ODG)",
        "ACOEM ",
        "and Other Medical Treatment Guidelines ",
        "Section(s): ",
        "Page(s): ",
        "pg. ",
        "p",
        "9792.20 - 9792.26",
        "Low Back Complaints 2004",
        ", and ",
        "24",
        "78-80",
        ", ",
        ". ",
        "\n",
        "The Claims Administrator did not cite any medical evidence for its decision.",
    ]
)


@given(st.text() | st.lists(_FRAGMENTS | st.text(max_size=3), max_size=30).map("".join))
def test_never_raises_and_sources_are_known(text: str) -> None:
    citations = parse_citations(text)
    assert all(isinstance(c, Citation) for c in citations)
    assert {c.source for c in citations} <= SOURCES
