"""Phrases read through the common pairs answer exactly as Whoosh's position check does.

The reference is Whoosh's own `Phrase` over the word field (every word's places, consecutive),
on the same index; the pairs field is built with a common-word list drawn per example, so pairs
cover all, some or none of a phrase's words. Texts mix sentence ends and paragraph breaks, and
a phrase's pairs often stand in a document without being adjacent.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage

from imrsearch.engine import pairs
from imrsearch.engine.proximity import SENTENCE, WORDS, Near, ProsePhrase
from imrsearch.engine.schema import PROSE, CommonPairs, WordPairs, pairs_field
from imrsearch.engine.schema import WORDS as WORDS_ANALYZER
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore
from imrsearch.vocab.common import COMMON_WORDS

VOCAB = ["not", "medically", "necessary", "is", "no", "to", "provision", "modify", "urine"]
GAPS = [" ", " ", " ", "\n", ". ", ".\n\n", "\n\n"]
SPECIALTY_WORDS = ["family", "practice", "internal", "medicine", "pain"]


def _schema(common: frozenset[str]) -> fields.Schema:
    return fields.Schema(
        rationale=fields.TEXT(analyzer=PROSE, phrase=True),
        **{pairs_field("rationale"): fields.TEXT(analyzer=CommonPairs(common), phrase=True)},
    )


def _text(draw, size: int) -> str:
    words = draw(st.lists(st.sampled_from(VOCAB), max_size=size))
    out = []
    for i, word in enumerate(words):
        gap = draw(st.sampled_from(GAPS)) if i else ""
        out.append(gap + (word.capitalize() if gap.startswith(".") else word))
    return "".join(out)


@st.composite
def cases(draw):
    common = frozenset(draw(st.sets(st.sampled_from(VOCAB))))
    texts = [_text(draw, 24) for _ in range(draw(st.integers(1, 6)))]
    if draw(st.booleans()) and any(t.split() for t in texts):  # a phrase the texts contain
        words = [t.text for t in PROSE(draw(st.sampled_from([t for t in texts if t.split()])))]
        start = draw(st.integers(0, len(words) - 1))
        phrase = words[start : start + draw(st.integers(2, 5))]
    else:
        phrase = draw(st.lists(st.sampled_from(VOCAB), min_size=2, max_size=5))
    return common, texts, phrase


def _index(common: frozenset[str], texts: list[str]):
    ix = RamStorage().create_index(_schema(common))
    with ix.writer() as writer:
        for text in texts:
            writer.add_document(rationale=text, **{pairs_field("rationale"): text})
    return ix


def _matches(searcher, q) -> dict[int, list[tuple[int, int]]]:
    """Each matching document with the places (first, last word) of its matches."""
    m = q.matcher(searcher)
    found = {}
    while m.is_active():
        found[m.id()] = sorted((s.start, s.end) for s in m.spans())
        m.next()
    return found


@settings(max_examples=300, deadline=None)
@given(cases())
def test_pairs_answer_as_the_position_check(case) -> None:
    common, texts, phrase = case
    with _index(common, texts).searcher() as searcher:
        expected = _matches(searcher, wq.Phrase("rationale", phrase))
        assert _matches(searcher, ProsePhrase("rationale", phrase)) == expected
        assert pairs.common_words(searcher, "rationale") == common


@settings(max_examples=100, deadline=None)
@given(cases())
def test_a_connector_over_a_paired_phrase_answers_as_over_the_position_check(case) -> None:
    """Connectors take a phrase's places from its matcher: pairs must report whole phrases."""
    common, texts, phrase = case
    other = wq.Term("rationale", "urine")
    with _index(common, texts).searcher() as searcher:
        for unit, distance in ((WORDS, 2), (SENTENCE, 0)):
            paired = Near("rationale", ProsePhrase("rationale", phrase), other, unit, distance)
            checked = Near("rationale", wq.Phrase("rationale", phrase), other, unit, distance)
            assert _matches(searcher, paired) == _matches(searcher, checked)


def test_the_words_apart_are_not_the_phrase() -> None:
    """Both pairs of "not medically necessary" stand in the second text, never together."""
    texts = [
        "The request is not medically necessary.",
        "It is not the case. Medically necessary care is not medically indicated.",
        "Not medically\n\nnecessary",  # a paragraph between them
        "is not medically necessary",
    ]
    with _index(COMMON_WORDS, texts).searcher() as searcher:
        found = _matches(searcher, ProsePhrase("rationale", ["not", "medically", "necessary"]))
        assert sorted(found) == [0, 3]
        pieces = pairs.pieces("rationale", ["not", "medically", "necessary"], COMMON_WORDS)
        assert pieces == [(pairs_field("rationale"), "not medically necessary", 0)]
        longer = pairs.pieces("rationale", ["is", "not", "medically", "necessary"], COMMON_WORDS)
        assert longer == [
            (pairs_field("rationale"), "is not medically", 0),
            (pairs_field("rationale"), "medically necessary", 2),
        ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["family", "practice", "internal", "medicine", "pain"]), max_size=4
        ),
        min_size=1,
        max_size=5,
    ),
    st.lists(
        st.sampled_from(["family", "practice", "internal", "medicine", "pain"]),
        min_size=2,
        max_size=4,
    ),
    st.sampled_from([", ", ". ", ".\n\n", " , "]),
)
def test_a_short_fields_pairs_answer_as_the_position_check(values, phrase, joiner) -> None:
    """A short field (specialties joined as the documents join them) holds every pair and
    triple of its words, with the field's own places: no sentence steps between values."""
    schema = fields.Schema(
        specialty=fields.TEXT(analyzer=WORDS_ANALYZER, phrase=True),
        **{pairs_field("specialty"): fields.TEXT(analyzer=WordPairs(), phrase=True)},
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for words in values:
            text = joiner.join(w.capitalize() for w in words)
            writer.add_document(specialty=text, **{pairs_field("specialty"): text})
    with ix.searcher() as searcher:
        expected = _matches(searcher, wq.Phrase("specialty", phrase))
        assert _matches(searcher, ProsePhrase("specialty", phrase)) == expected


def test_a_phrase_of_rare_words_is_checked_by_places() -> None:
    assert pairs.pieces("rationale", ["urine", "drug", "screen"], frozenset()) == [
        ("rationale", "urine", 0),
        ("rationale", "drug", 1),
        ("rationale", "screen", 2),
    ]


def test_samples_phrases_answer_as_the_position_check(samples_index, parsed_samples) -> None:
    """Every 2- to 4-word phrase starting at a common word of the samples' rationales, on the
    real-letter index: the pairs' answer is Whoosh's."""
    seen: set[tuple[str, ...]] = set()
    for letter in parsed_samples:
        for decision in letter.decisions:
            words = [t.text for t in PROSE(decision.rationale)]
            for i, word in enumerate(words[:-1]):
                if word in COMMON_WORDS:
                    seen.update(tuple(words[i : i + n]) for n in (2, 3, 4))
    assert len(seen) > 200
    with Searcher(IndexStore(samples_index)) as searcher:
        whoosh = searcher._searcher
        for phrase in sorted(seen):
            words = list(phrase)
            expected = set(whoosh.docs_for_query(wq.Phrase("rationale", words)))
            assert set(whoosh.docs_for_query(ProsePhrase("rationale", words))) == expected
