"""The drug lexicon and matcher: item texts as IMR letters print them, query expansion, and the
consistency of drugs.tsv itself."""

from __future__ import annotations

from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imrsearch.model import Drug
from imrsearch.vocab.drugs import CLASSES, class_members, class_named, equivalents, find_drugs


def _rows() -> list[list[str]]:
    """drugs.tsv read independently of the module, so loader shortcuts cannot hide bad data."""
    text = files("imrsearch.vocab").joinpath("drugs.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "name\tgeneric\tclass"
    return [line.split("\t") for line in lines[1:] if line.strip() and not line.startswith("#")]


ROWS = _rows()


def names(text: str) -> list[str]:
    return [drug.name for drug in find_drugs(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Valium 10mg, three times a day as needed #90",
            Drug("Valium", "diazepam", "benzodiazepine"),
        ),
        ("Norco 10/325mg #90", Drug("Norco", "hydrocodone/acetaminophen", "opioid")),
        ("Soma 350 mg #60", Drug("Soma", "carisoprodol", "muscle relaxant")),
        ("Percocet 10-325 mg, 6 tablets", Drug("Percocet", "oxycodone/acetaminophen", "opioid")),
        ("Voltaren gel 1% 100g", Drug("Voltaren gel", "diclofenac topical", "topical analgesic")),
        ("Voltaren XR 100mg #30", Drug("Voltaren XR", "diclofenac", "nsaid")),
        ("OxyContin 20 mg twice a day #60", Drug("OxyContin", "oxycodone ER", "opioid")),
        ("Lidoderm 5% patch #30", Drug("Lidoderm patch", "lidocaine", "topical analgesic")),
    ],
)
def test_brand_resolves_to_generic_and_class(text: str, expected: Drug) -> None:
    assert find_drugs(text) == [expected]


def test_match_ignores_case_but_reports_the_lexicon_spelling() -> None:
    assert names("NORCO 10/325") == ["Norco"]
    assert names("oxycontin 40mg") == ["OxyContin"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Voltaren gel", ["Voltaren gel"]),
        ("Tylenol #3 #60", ["Tylenol #3"]),
        ("Tylenol with codeine #60", ["Tylenol with codeine"]),
        ("lidocaine patch 5%", ["lidocaine patch"]),
        ("oxycodone ER 20mg", ["oxycodone ER"]),
        ("Sentra PM #60", ["Sentra PM"]),
        ("Hydrocodone/APAP 10/325", ["hydrocodone/apap"]),
    ],
)
def test_longest_name_wins(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hydrocodone Bitartrate/Acetaminophen 10/325mg", "hydrocodone/acetaminophen"),
        ("hydrocodone-acetaminophen 5/325", "hydrocodone/acetaminophen"),
        ("Oxycodone 10mg/APAP 325mg", "oxycodone/acetaminophen"),
        ("Tramadol HCl ER 150mg #30", "tramadol ER"),
        ("Voltaren 1% gel", "diclofenac topical"),
        ("Diclofenac sodium 1% gel", "diclofenac topical"),
        ("Cyclobenzaprine HCL 7.5mg", "cyclobenzaprine"),
    ],
)
def test_salts_doses_and_separators_between_words(text: str, expected: str) -> None:
    assert [drug.generic for drug in find_drugs(text)] == [expected]


def test_oxycontin_and_oxycodone_stay_apart() -> None:
    found = find_drugs("OxyContin 20mg q12h and oxycodone 10mg for breakthrough pain")
    assert [(d.name, d.generic) for d in found] == [
        ("OxyContin", "oxycodone ER"),
        ("oxycodone", "oxycodone"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Somatic dysfunction",
        "Normal gait",
        "Abnormal EMG",
        "Ultramarine",
        "preNorco",
        "Physical therapy 2x6 for the lumbar spine",
        "Opiods",
        "",
    ],
)
def test_whole_words_only(text: str) -> None:
    assert find_drugs(text) == []


def test_punctuation_ends_a_word() -> None:
    assert names("(Soma's effect)") == ["Soma"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Valium10mg", ["Valium"]),
        ("Norco10/325 #90", ["Norco"]),
        # A name ending in a digit must not swallow a longer number: #30 is a count, not a #3.
        ("Tylenol #30", ["Tylenol"]),
    ],
)
def test_dose_glued_to_the_name(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_order_of_first_mention_and_one_drug_per_generic() -> None:
    text = "Soma 350mg, Valium (diazepam) 5mg, Norco 10/325, diazepam 2mg, soma"
    assert names(text) == ["Soma", "Valium", "Norco"]


def test_compounded_cream_names_each_ingredient() -> None:
    found = find_drugs("Flurbiprofen 20%/Cyclobenzaprine 10% cream 180gm")
    assert [(d.generic, d.drug_class) for d in found] == [
        ("flurbiprofen", "topical analgesic"),
        ("cyclobenzaprine topical", "topical analgesic"),
    ]


@given(st.text(max_size=200))
def test_find_drugs_never_raises_and_returns_lexicon_rows(text: str) -> None:
    lexicon = {tuple(row) for row in ROWS}
    found = find_drugs(text)
    assert all((d.name, d.generic, d.drug_class) in lexicon for d in found)
    assert len({d.generic for d in found}) == len(found)


def test_equivalents_brand_to_generic_and_back() -> None:
    assert equivalents("valium") == {"valium", "diazepam"}
    assert equivalents("Diazepam") == {"diazepam", "valium"}
    norco = equivalents("NORCO")
    assert {"norco", "vicodin", "lortab", "hydrocodone/acetaminophen", "hydrocodone/apap"} <= norco
    assert "percocet" not in norco
    assert norco == equivalents("hydrocodone/acetaminophen") == equivalents("Hydrocodone-APAP")


def test_an_ingredient_reaches_its_forms_but_a_brand_does_not() -> None:
    assert {"oxycontin", "roxicodone", "oxycodone er"} <= equivalents("oxycodone")
    assert "roxicodone" not in equivalents("OxyContin")
    assert "voltaren gel" in equivalents("diclofenac")
    assert "voltaren gel" not in equivalents("voltaren")
    assert "voltaren" not in equivalents("voltaren gel")
    assert "oxycodone/acetaminophen" not in equivalents("oxycodone")


def test_equivalents_of_a_class_word_is_the_class() -> None:
    assert equivalents("benzodiazepine") == class_members("benzodiazepine")
    assert equivalents("Benzos") == class_members("benzodiazepine")
    assert equivalents("NSAIDs") == class_members("nsaid")
    assert "norco" in equivalents("opiates")


def test_unknown_term_is_itself() -> None:
    assert equivalents("Physical Therapy") == {"physical therapy"}


def test_class_members() -> None:
    opioids = class_members("opioid")
    assert {"norco", "oxycontin", "tramadol", "tylenol #3"} <= opioids
    assert "valium" not in opioids
    assert "tylenol" not in opioids
    assert class_members("muscle relaxants") == class_members("muscle relaxant")
    assert class_members("vitamins") == set()


def test_tsv_rows_are_complete_with_known_classes() -> None:
    assert len(ROWS) >= 200
    for row in ROWS:
        assert len(row) == 3, row
        name, generic, cls = row
        assert name.strip() == name and name, row
        assert generic.strip() == generic and generic, row
        assert cls in CLASSES, row


def test_tsv_has_no_duplicate_names() -> None:
    lowered = [row[0].lower() for row in ROWS]
    assert sorted({n for n in lowered if lowered.count(n) > 1}) == []


def test_tsv_generics_are_consistent() -> None:
    class_of: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for _name, generic, cls in ROWS:
        assert class_of.setdefault(generic, cls) == cls, f"{generic} has two classes"
        assert spelling.setdefault(generic.lower(), generic) == generic, f"{generic} spelt twice"
    generic_of = {name: generic for name, generic, _ in ROWS}
    for generic in class_of:
        if generic in generic_of:  # a generic's own row maps to itself
            assert generic_of[generic] == generic, generic


@pytest.mark.parametrize(("name", "generic", "cls"), ROWS, ids=[row[0] for row in ROWS])
def test_every_name_finds_its_own_row(name: str, generic: str, cls: str) -> None:
    """Catches a name shadowed by another, or one the pattern builder cannot express."""
    assert find_drugs(f"Request for {name} #60") == [Drug(name, generic, cls)]


# Items as the real letters print them (CM16-0248698, CM17-0013625, CM17-0014438), and the two
# kits the issue names that these letters do not dispute. Generic and class as the kits' labels
# give them: each is a compounding kit of one ingredient.
KITS = [
    ("Fanatrex 25mg/ml oral suspension 420ml", "gabapentin", "anticonvulsant"),
    ("Synapryn (10mg/1ml oral suspension) 500ml", "tramadol", "opioid"),
    ("Tabradol 1mg/ml oral suspension, 250ml", "cyclobenzaprine", "muscle relaxant"),
    ("Deprizine 15mg/ml oral suspension, 250ml", "ranitidine", "h2 blocker"),
    ("Dicopanol 5mg/ml oral suspension, 150ml", "diphenhydramine", "sleep aid"),
    ("Ketophene 20% cream, 167 grams", "ketoprofen", "topical analgesic"),
    ("Cyclophene 5% cream 111.2 grams", "cyclobenzaprine topical", "topical analgesic"),
    ("Deprizine (unknown quantity)", "ranitidine", "h2 blocker"),
    ("Trezix capsules #60", "acetaminophen/caffeine/dihydrocodeine", "opioid"),
    ("Anecream 5% cream", "lidocaine", "topical analgesic"),
]


@pytest.mark.parametrize(("text", "generic", "cls"), KITS, ids=[k[0].split()[0] for k in KITS])
def test_california_compounding_kits_have_a_drug_and_class(text, generic, cls) -> None:
    [drug] = find_drugs(text)
    assert (drug.name, drug.generic, drug.drug_class) == (text.split()[0], generic, cls)
    assert drug.name.lower() in equivalents(generic)  # drug:gabapentin finds Fanatrex


@pytest.mark.parametrize(
    ("typed", "cls"),
    [
        ("benzos", "benzodiazepine"),
        ("Benzodiazepines", "benzodiazepine"),
        ("opioids", "opioid"),
        ("narcotics", "opioid"),
        ("muscle relaxants", "muscle relaxant"),
        ("Muscle Relaxers", "muscle relaxant"),
        ("PPIs", "proton pump inhibitor"),
        ("anti-inflammatory", "nsaid"),
        ("h2 blockers", "h2 blocker"),
        ("relaxant", None),
        ("vitamins", None),
    ],
)
def test_class_named_reads_plurals_and_common_names(typed, cls) -> None:
    assert class_named(typed) == cls
