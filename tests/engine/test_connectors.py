"""Terms and connectors over the samples: /s, /p, w/n, pre/n, -word, and phrases beside them.

Expected sets come from the parsed letters: sentences are cut and words counted here, by the
rule the README gives (a sentence ends at . ? or ! before a capital letter, not after an
abbreviation or initial; the rationale is one paragraph; the two guideline citations are two),
never by the index's analyzer. A decision is keyed by (file name, item number).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine.search import Searcher
from imrsearch.model import Decision, Letter

Key = tuple[str, int]
# Words as the index reads them (Whoosh's RegexTokenizer: "31.5" and "e.g" are one word each).
WORD = re.compile(r"[\w*]+(?:\.?[\w*]+)*")
SENTENCE_END = re.compile(r"""[.?!][.?!"')\]]*\s+["'(\[]*(?=[A-Z])""")
ABBREVIATIONS = {"dr", "drs", "mr", "mrs", "ms", "prof", "st", "vs", "no", "nos", "fig", "vol"}
ABBREVIATIONS |= {"pg", "pp", "jr", "sr", "inc", "ltd", "co", "corp", "dept", "approx", "al"}


def sentences(text: str) -> list[list[str]]:
    """The words of each sentence of `text`."""
    cuts, start = [], 0
    for end in SENTENCE_END.finditer(text):
        before = WORD.findall(text[start : end.start()])
        last = before[-1].lower() if before else ""
        dotted = re.fullmatch(r"(?:[a-z]\.)+[a-z]", last)  # e.g, u.s, p.o
        short = last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or dotted
        if before and not (end.group().startswith(".") and short):
            cuts.append(text[start : end.start()])
            start = end.end()
    cuts.append(text[start:])
    return [words(cut) for cut in cuts]


def together(units: list[list[str]], a: str, b: str) -> bool:
    """`a` and `b` at two places of one unit (sentence or paragraph)."""
    return any(a in unit and b in unit and (a != b or unit.count(a) > 1) for unit in units if unit)


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def within(text: str, a: str, b: str, n: int, ordered: bool = False) -> bool:
    """`a` and `b` at most `n` words apart (`ordered`: `a` first), counted across sentences."""
    found = words(text)
    at_a = [i for i, w in enumerate(found) if w == a]
    at_b = [j for j, w in enumerate(found) if w == b]
    return any(0 < (j - i if ordered else abs(j - i)) <= n for i in at_a for j in at_b)


def expected(letters: list[Letter], test: Callable[[Decision], bool]) -> set[Key]:
    return {(Path(lt.path).name, d.number) for lt in letters for d in lt.decisions if test(d)}


def found(searcher: Searcher, query: str) -> set[Key]:
    return {(Path(h.path).name, h.item) for h in searcher.search(query, limit=None).hits}


@pytest.fixture(scope="module")
def searcher(samples_index: Path) -> Iterator[Searcher]:
    with api.open_searcher(samples_index) as opened:
        yield opened


VALIUM = ("000_8e1dcabcf776b057.txt", 1)  # its rationale, read below


def test_adjacent_sentences_are_not_one_sentence(searcher, parsed_samples):
    """Seed 000's Valium item: "... to allow tapering. In the absence of such documentation".
    The two words are three apart, across a sentence end."""
    letter = next(lt for lt in parsed_samples if Path(lt.path).name == VALIUM[0])
    rationale = letter.decisions[0].rationale
    assert "to allow tapering. In the absence of such documentation" in rationale
    assert VALIUM in found(searcher, 'rationale:("tapering" w/3 "absence")')
    assert VALIUM not in found(searcher, 'rationale:("tapering" w/2 "absence")')
    assert VALIUM not in found(searcher, 'rationale:("tapering" /s "absence")')
    # in one sentence: "there is no provision to modify the current request to allow tapering"
    assert VALIUM in found(searcher, 'rationale:("provision" /s "tapering")')
    assert VALIUM in found(searcher, 'rationale:("provision" pre/8 "tapering")')
    assert VALIUM not in found(searcher, 'rationale:("provision" pre/7 "tapering")')
    assert VALIUM not in found(searcher, 'rationale:("tapering" pre/8 "provision")')
    assert VALIUM in found(searcher, 'rationale:("tapering" /8 "provision")')
    # the whole rationale is one paragraph
    assert VALIUM in found(searcher, 'rationale:("tapering" /p "absence")')


PAIRS = [
    ("tapering", "provision"),
    ("tapering", "absence"),
    ("opioids", "discontinued"),
    ("medically", "necessary"),
    ("not", "necessary"),
    ("documentation", "improvement"),
    ("pain", "medication"),
    ("request", "request"),
]


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_same_sentence(searcher, parsed_samples, a, b):
    want = expected(parsed_samples, lambda d: together(sentences(d.rationale), a, b))
    assert found(searcher, f'rationale:("{a}" /s "{b}")') == want
    ordered = expected(
        parsed_samples,
        lambda d: any(
            within(" ".join(s), a, b, 10**6, ordered=True) for s in sentences(d.rationale)
        ),
    )
    assert found(searcher, f'rationale:("{a}" +s "{b}")') == ordered


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_same_paragraph(searcher, parsed_samples, a, b):
    """The rationale is one paragraph: /p is both words in it."""
    want = expected(parsed_samples, lambda d: together([words(d.rationale)], a, b))
    assert found(searcher, f'rationale:("{a}" /p "{b}")') == want


def test_the_two_guideline_citations_are_two_paragraphs(searcher, parsed_samples):
    """Seed 000's Percocet item cites "Oxycodone/Acetaminophen" (claims administrator) and
    "Opioids" (MAXIMUS): both words are in its guideline text, not in one paragraph."""
    item = ("000_8e1dcabcf776b057.txt", 2)
    letter = next(lt for lt in parsed_samples if Path(lt.path).name == item[0])
    percocet = letter.decisions[1]
    assert "Acetaminophen" in percocet.ca_guideline and "Opioids" in percocet.maximus_guideline
    assert "Opioids" not in percocet.ca_guideline
    assert item in found(searcher, 'guideline:("acetaminophen" "opioids")')
    assert item not in found(searcher, 'guideline:("acetaminophen" /p "opioids")')
    assert item in found(searcher, 'guideline:("acetaminophen" /p "oxycodone")')

    def one_citation(d: Decision, a: str, b: str) -> bool:
        return together([words(d.ca_guideline), words(d.maximus_guideline)], a, b)

    for a, b in [("acetaminophen", "opioids"), ("chronic", "pain"), ("page", "opioids")]:
        want = expected(parsed_samples, lambda d, a=a, b=b: one_citation(d, a, b))
        assert found(searcher, f'guideline:("{a}" /p "{b}")') == want, (a, b)


@pytest.mark.parametrize("n", [1, 3, 5, 8])
@pytest.mark.parametrize(("a", "b"), PAIRS[:6], ids=[f"{a}-{b}" for a, b in PAIRS[:6]])
def test_within_n_words_counts_words_across_sentences(searcher, parsed_samples, a, b, n):
    want = expected(parsed_samples, lambda d: within(d.rationale, a, b, n))
    assert found(searcher, f'rationale:("{a}" w/{n} "{b}")') == want
    assert found(searcher, f'rationale:("{a}" /{n} "{b}")') == want
    first = expected(parsed_samples, lambda d: within(d.rationale, a, b, n, ordered=True))
    assert found(searcher, f'rationale:("{a}" pre/{n} "{b}")') == first
    assert found(searcher, f'rationale:("{a}" +{n} "{b}")') == first


@pytest.mark.parametrize("slop", [2, 5, 8])
def test_a_phrase_with_slop_still_counts_words_across_sentences(searcher, parsed_samples, slop):
    """`"a b"~n` kept its meaning (b after a, within n words) now that sentences have their
    own positions: "tapering. In the absence" is 3 words."""
    want = expected(
        parsed_samples, lambda d: within(d.rationale, "tapering", "absence", slop, True)
    )
    assert found(searcher, f'rationale:"tapering absence"~{slop}') == want
    assert (VALIUM in want) == (slop >= 3)


@pytest.mark.parametrize(
    ("base", "word"),
    [("tapering", "opioids"), ("outcome:upheld", "valium"), ('"not medically necessary"', "pain")],
)
def test_minus_is_not(searcher, base, word):
    minus, not_ = found(searcher, f"{base} -{word}"), found(searcher, f"{base} NOT {word}")
    assert minus == not_ == found(searcher, base) - found(searcher, word)
    assert found(searcher, f"{base} {word}"), "the word should matter"
    assert minus != found(searcher, f"{base} {word}")


def test_connectors_take_ors_wildcards_and_each_other(searcher, parsed_samples):
    either = found(searcher, 'rationale:(("opioids" OR "benzodiazepines") /s "discontinued")')
    assert either == found(searcher, 'rationale:("opioids" /s "discontinued")') | found(
        searcher, 'rationale:("benzodiazepines" /s "discontinued")'
    )
    root = expected(
        parsed_samples,
        lambda d: any(
            "discontinued" in s and any(w.startswith("abrupt") for w in s)
            for s in sentences(d.rationale)
        ),
    )
    assert root and found(searcher, 'rationale:(abrupt! /s "discontinued")') == root
    nested = found(searcher, 'rationale:(("abruptly" w/2 "discontinued") /s "tapering")')
    assert nested == expected(
        parsed_samples,
        lambda d: any(
            within(" ".join(s), "abruptly", "discontinued", 2) and "tapering" in s
            for s in sentences(d.rationale)
        ),
    )
    assert nested


def test_unfielded_connectors_look_in_each_text_field(searcher):
    fields = ("service", "rationale", "summary", "guideline")
    each = set().union(*(found(searcher, f'{f}:("pain" /s "medication")') for f in fields))
    assert found(searcher, '"pain" /s "medication"') == each


def test_one_sentence_is_narrower_than_one_rationale(parsed_samples):
    """The cases above are not vacuous: the samples have rationales with both words apart."""
    both = expected(parsed_samples, lambda d: together([words(d.rationale)], "pain", "medication"))
    one = expected(parsed_samples, lambda d: together(sentences(d.rationale), "pain", "medication"))
    assert one and one < both
