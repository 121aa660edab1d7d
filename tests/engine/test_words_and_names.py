"""Words as researchers mean them, names as the lexicon documents them, values as the registry
lists them, over the samples; and what the language does not read, refused with exit 2.

Plural totals are checked against the union of the two exact (quoted) searches; classes, drugs
and outcomes against the parsed letters or against the search they stand for.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from imrsearch import api, cli
from imrsearch.engine.search import Searcher
from imrsearch.model import Letter

Key = tuple[str, int]


def found(searcher: Searcher, query: str) -> set[Key]:
    return {(Path(h.path).name, h.item) for h in searcher.search(query, limit=None).hits}


def decisions(letters: list[Letter], test) -> set[Key]:
    return {(Path(lt.path).name, d.number) for lt in letters for d in lt.decisions if test(lt, d)}


@pytest.fixture(scope="module")
def searcher(samples_index: Path) -> Iterator[Searcher]:
    with api.open_searcher(samples_index) as opened:
        yield opened


# --- singular and plural ----------------------------------------------------------------------

PLURALS = [
    ("opioid", "opioids"),
    ("medication", "medications"),
    ("study", "studies"),
    ("diagnosis", "diagnoses"),
    ("benzodiazepine", "benzodiazepines"),
    ("criterion", "criteria"),
    ("request", "requests"),
    ("injection", "injections"),
]


@pytest.mark.parametrize(("singular", "plural"), PLURALS, ids=[s for s, _ in PLURALS])
def test_a_word_finds_its_singular_and_plural(searcher, singular, plural):
    either = found(searcher, f'"{singular}"') | found(searcher, f'"{plural}"')
    assert either
    assert found(searcher, singular) == found(searcher, plural) == either
    fielded = found(searcher, f'rationale:"{singular}"') | found(searcher, f'rationale:"{plural}"')
    assert found(searcher, f"rationale:{singular}") == fielded


def test_either_form_of_a_phrase_is_its_words_one_after_the_other(searcher):
    """Quoted phrases are exact; `red pre/1 flag` is "red" right before "flag" or "flags"."""
    either = found(searcher, '"red flag"') | found(searcher, '"red flags"')
    assert found(searcher, '"red flags"') and either > found(searcher, '"red flags"')
    assert found(searcher, "red pre/1 flag") == found(searcher, "red +1 flags") == either


def test_a_quoted_word_is_exact(searcher, parsed_samples):
    """Quoted, "opioid" is that word alone: the samples have decisions that say only
    "opioids", which the unquoted word finds and the quoted one does not."""
    says = re.compile(r"\bopioid\b", re.IGNORECASE)

    def says_opioid(lt: Letter, d) -> bool:
        texts = [d.service, d.rationale, lt.summary, d.ca_guideline, d.maximus_guideline]
        return any(says.search(t) for t in texts)

    exact = decisions(parsed_samples, says_opioid)
    assert found(searcher, '"opioid"') == exact
    assert exact < found(searcher, "opioid")


def test_the_highlight_marks_the_forms_a_word_found(searcher):
    assert searcher.highlight("opioid").words == {"opioid", "opioids"}
    assert searcher.highlight('"opioid"').words == {"opioid"}
    marked = {
        hit.snippet.text[a:b].lower()
        for hit in searcher.search("opioid", limit=None).hits
        for a, b in hit.snippet.spans
    }
    assert marked == {"opioid", "opioids"}


# --- classes and drugs ------------------------------------------------------------------------


def in_class(name: str):
    return lambda lt, d: any(x.drug_class == name for x in d.drugs)


@pytest.mark.parametrize(
    ("typed", "cls"),
    [
        ("benzos", "benzodiazepine"),
        ("Benzodiazepines", "benzodiazepine"),
        ("opioids", "opioid"),
        ("narcotics", "opioid"),
        ('"muscle relaxants"', "muscle relaxant"),
        ('"muscle relaxers"', "muscle relaxant"),
        ("nsaids", "nsaid"),
        ('"topical analgesic"', "topical analgesic"),
    ],
)
def test_class_aliases_and_plurals_are_the_class(searcher, parsed_samples, typed, cls):
    want = decisions(parsed_samples, in_class(cls))
    assert want
    assert found(searcher, f"class:{typed}") == found(searcher, f'class:"{cls}"') == want


def test_a_class_is_matched_whole(searcher):
    """`class:analgesic` is that class, not the "analgesic" in "topical analgesic"."""
    topical = found(searcher, 'class:"topical analgesic"')
    assert topical
    assert not found(searcher, "class:analgesic") & topical


def test_a_class_word_in_drug_reaches_the_whole_class(searcher):
    assert found(searcher, "drug:benzos") == found(searcher, "class:benzodiazepine")
    assert found(searcher, "drug:opioids") == found(searcher, "class:opioid")


@pytest.mark.parametrize(
    ("kit", "generic", "cls"),
    [
        ("Tabradol", "cyclobenzaprine", "muscle relaxant"),
        ("Fanatrex", "gabapentin", "anticonvulsant"),
        ("Synapryn", "tramadol", "opioid"),
        ("Deprizine", "ranitidine", "h2 blocker"),
        ("Dicopanol", "diphenhydramine", "sleep aid"),
        ("Ketophene", "ketoprofen", "topical analgesic"),
    ],
)
def test_compounding_kits_have_a_drug_and_a_class(searcher, parsed_samples, kit, generic, cls):
    """CM16-0248698 disputes the kits by brand alone ("Tabradol (unknown quantity)"). A kit's
    name reaches the other names of its ingredient, as a brand does, and its ingredient's name
    reaches the kit."""
    items = decisions(parsed_samples, lambda lt, d: re.match(kit, d.service) is not None)
    assert items
    assert items <= found(searcher, f"drug:{kit}") <= found(searcher, f'drug:"{generic}"')
    assert items <= found(searcher, f'class:"{cls}"')


# --- closed values and field names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Outcome:upheld", "outcome:upheld"),
        ("RESULT:Overturned", "outcome:overturned"),
        ("outcome:denied", "outcome:upheld"),
        ("outcome:approved", "outcome:overturned"),
        ("sex:m", "sex:male"),
        ("Gender:F", "sex:female"),
        ("Format:D", "format:d"),
        ("SOURCE:ODG", "source:odg"),
        ("Drug:Valium", "drug:valium"),
    ],
)
def test_field_names_in_any_case_and_documented_synonyms(searcher, typed, meant):
    assert found(searcher, meant)
    assert found(searcher, typed) == found(searcher, meant)


def test_denied_means_the_upheld_decisions(searcher, parsed_samples):
    upheld = decisions(parsed_samples, lambda lt, d: d.outcome == "upheld")
    assert found(searcher, "outcome:denied") == upheld


# --- refused, with what and where, exit 2 -----------------------------------------------------

REFUSED = [
    ('"red flag*"', "*", "inside quotes"),
    ('"taper!"', "!", "inside quotes"),
    ("outcome:foo", "foo", "upheld | overturned"),
    ("sex:x", "x", "male | female"),
    ("source:mtus2016", "mtus2016", "mtus | acoem | odg | other"),
    ("class:relaxant", "relaxant", "muscle relaxant"),
    ("tapering or weaning", "or", "OR"),
    ("not medically necessary", "not", '"not medically necessary"'),
    ("tapering & opioids", "&", "AND"),
    ("tapering % opioids", "%", "NOT"),
    ("#opioid", "#", "quotes"),
    ("+opioid", "+", "quotes"),
    ("taper /x opioid", "/x", "/s"),
    ("taper w/seg opioid", "w/seg", "/s"),
    ("taper /0 opioid", "/0", "/s"),
    ("ta!per", "!", "taper!"),
    ("tapering /s", "/s", "remove"),
    ("tapering AND", "AND", "remove"),
    ("tapering NOT", "NOT", "remove"),
    ("drug:valium /s tapering", "/s", "one text field"),
    ("(taper! opioid) /s weaning", "/s", "outside"),
    ('"medically necessary. The request"', ". The", "w/n"),
]


@pytest.fixture
def run(capsys, monkeypatch, samples_index):
    monkeypatch.setenv("COLUMNS", "200")

    def invoke(text: str) -> tuple[int, str]:
        argv = ["imrsearch", "query", text, "--index", str(samples_index)]
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as stop:
            cli.main()
        return stop.value.code or 0, capsys.readouterr().err

    return invoke


@pytest.mark.parametrize(("text", "at", "hint"), REFUSED, ids=[q for q, _, _ in REFUSED])
def test_what_the_language_does_not_read_is_refused_where_it_stands(run, text, at, hint):
    code, err = run(text)
    assert code == 2, err
    lines = err.splitlines()
    assert lines[0].startswith("error: ")
    shown = next(i for i, line in enumerate(lines) if line.strip() == text)
    caret = lines[shown + 1].index("^") - lines[shown].index(text)
    assert text[caret:].startswith(at), (caret, err)
    assert hint in " ".join(err.split())
