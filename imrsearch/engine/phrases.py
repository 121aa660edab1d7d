"""`imrsearch phrases`: the passages that recur in the rationales of a search's matches.

Finding them. The rationales of up to SAMPLE matching decisions are read, evenly spaced over
the matches in index order (all of them when there are no more), so the same query on the same
index always reads the same ones. Each run of 4 words within a sentence (as the index splits
sentences, so every passage is a phrase the query language finds) is counted per decision; runs
recurring in the sample are chained into the longest stable passage: a run is extended by the
next word while the longer passage keeps at least STABLE of its decisions, up to 12 words. A
passage many matches share is all but certain to be in the sample; one in a handful of 20,000
matches may be missed, which a list of the most distinctive passages can afford.

Counting them. Every count shown is exact: each passage found is looked for in the rationale
of every match (its sentences joined, so no passage runs across a sentence end), which gives
its decisions and their upheld/overturned split. A phrase query per passage would read the
places of its words across the whole index: half a second to two for common words at 10,000
letters, ten times that at 100,000, against about 0.3 ms a match to read and split a stored
rationale (the schema keeps no term vectors; the stored field is the cheapest way to the
words).

Ranking them. Dunning's log-likelihood G² of the 2×2 table (decisions with and without the
passage, in the matches and in the rest of the index), keeping passages the matches use more
than the rest. The rest's share is an estimate, shown as such ("elsewhere"): the share of the
decisions outside the matches in a fixed sample of BACKGROUND decisions evenly spaced over the
whole index. That sample does not depend on the query, so a long-running process (the TUI, the
web server) reads it once per open index, and a command pays about half a second for it;
exact whole-index counts would cost a phrase query per passage, and n-gram counts kept at build
time memory and build time that grow with the archive, for a number that only orders the list.
With `by_outcome`, the passages are scored upheld against overturned within the matches, from
the exact counts alone.
"""

from __future__ import annotations

import math
import re
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from imrsearch.engine import ties
from imrsearch.engine.query import decision_filter
from imrsearch.engine.schema import break_between
from imrsearch.engine.search import Searcher
from imrsearch.model import OVERTURNED, UPHELD, Highlight, Phrase, PhraseReport

BASE = 4  # words in the runs counted
LONGEST = 12
RUN = 60  # a stable run is followed this far, so a window of it is not listed twice
STABLE = 0.8  # a longer passage keeps at least this share of the shorter one's decisions
CANDIDATES = 60  # passages of the sample scored, the most frequent first
SAMPLE = 2000  # matching decisions read to find the candidates
BACKGROUND = 1000  # decisions of the whole index read to estimate the rest's shares
_WORD = re.compile(r"\w+(?:\.?\w+)*")  # the index's words (Whoosh's RegexTokenizer)
_MARK = re.compile(r"[.?!\n]")  # what a gap between words needs to end a sentence or paragraph

Gram = tuple[str, ...]


class Rationale(NamedTuple):
    """A decision's rationale as read for counting passages."""

    sentences: list[list[str]]
    joined: str  # the sentences as `_joined` makes them
    outcome: str


# The background sample of each open index (a Whoosh searcher is one snapshot of it).
_BACKGROUNDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def sentences(text: str) -> Iterator[list[str]]:
    """The words of each sentence of `text` (lower case), split where the index splits them.
    Only a gap holding ".", "?", "!" or a line break can split, so the words between two such
    gaps are found in one call (a quarter faster than looking at every gap in Python)."""
    lowered = text.lower()
    words: list[str] = []
    position = 0
    for mark in _MARK.finditer(lowered):
        start = mark.start()
        if start < position:
            continue  # in the gap just looked at
        while start > position and not _is_letter(lowered[start - 1]):
            start -= 1
        end = mark.end()
        while end < len(lowered) and not _is_letter(lowered[end]):
            end += 1
        if lowered[start:end] == "." and _inside_word(lowered, start):
            continue  # the period of a word such as "e.g" or "3.5"
        words.extend(_WORD.findall(lowered, position, start))
        position = end
        if words and end < len(lowered) and break_between(text, start, end, words[-1]):
            yield words
            words = []
    words.extend(_WORD.findall(lowered, position))
    if words:
        yield words


def _inside_word(lowered: str, at: int) -> bool:
    """Whether word characters stand on both sides of `lowered[at]`."""
    return 0 < at < len(lowered) - 1 and _is_letter(lowered[at - 1]) and _is_letter(lowered[at + 1])


def _is_letter(character: str) -> bool:
    """Whether `character` is one of the regular expression's word characters (\\w)."""
    return character.isalnum() or character == "_"


def _grams(sentence_list: list[list[str]], size: int) -> set[Gram]:
    return {
        tuple(words[i : i + size]) for words in sentence_list for i in range(len(words) - size + 1)
    }


def _joined(sentence_list: list[list[str]]) -> str:
    """Sentences as one string a passage is found in by `in`: " a b | c d " (no word holds
    a "|", so no passage runs across a sentence end)."""
    return " " + " | ".join(" ".join(words) for words in sentence_list) + " "


def g2(a: int, b: int, c: int, d: int) -> float:
    """Dunning's log-likelihood G² of the 2×2 table [[a, b], [c, d]]."""
    total = a + b + c + d
    score = 0.0
    for observed, row, column in (
        (a, a + b, a + c),
        (b, a + b, b + d),
        (c, c + d, a + c),
        (d, c + d, b + d),
    ):
        if observed:
            score += observed * math.log(observed * total / (row * column))
    return 2 * score


def phrases(
    searcher: Searcher,
    text: str,
    limit: int = 20,
    minimum: int = 2,
    by_outcome: bool = False,
) -> PhraseReport:
    started = time.perf_counter()
    # in key order (path, item), so a sharded index samples the same decisions
    matched = ties.ordered(searcher.whoosh.reader(), searcher.matches(text).docs())
    sample = read(searcher, evenly(matched, SAMPLE))
    # a passage in `minimum` of the matches is in about this many of the sample
    recurring = max(2, minimum * len(sample) // max(1, len(matched)))
    counts: dict[str, Counter[Gram]] = {}  # per outcome with `by_outcome`, else under ""
    for r in sample.values():
        counts.setdefault(r.outcome if by_outcome else "", Counter()).update(
            _grams(r.sentences, BASE)
        )
    candidates: dict[Gram, None] = {}
    for side, counted in sorted(counts.items()):
        if not by_outcome or side in (UPHELD, OVERTURNED):
            candidates.update(dict.fromkeys(_passages(counted, recurring)[:CANDIDATES]))
    holders, outcomes = _count(searcher, list(candidates), matched, sample)
    found = [_phrase(text, p, held) for p, held in holders.items() if len(held) >= minimum]
    _elsewhere(searcher, found, set(matched))
    if by_outcome:
        report = _by_outcome(text, len(matched), found, outcomes, limit)
    else:
        report = _against_index(searcher, text, len(matched), found, limit)
    for listed in [report.phrases, *report.by_outcome.values()]:
        for p in listed:
            stored = _Stored(searcher.whoosh.stored_fields(int(p.example)))
            p.example = searcher.make_hit(stored, Highlight()).citation()
    report.sampled = len(sample)
    report.elapsed = time.perf_counter() - started
    return report


def evenly(docnums: list[int], most: int) -> list[int]:
    """At most `most` of `docnums`, evenly spaced (all of them when there are no more)."""
    if len(docnums) <= most:
        return docnums
    return [docnums[i * len(docnums) // most] for i in range(most)]


def read(searcher: Searcher, docnums: list[int]) -> dict[int, Rationale]:
    """The rationales of `docnums` (decisions without one are left out)."""
    whoosh = searcher.whoosh
    found = {}
    for docnum in docnums:
        rationale = _rationale(whoosh.stored_fields(docnum))
        if rationale is not None:
            found[docnum] = rationale
    return found


def _rationale(stored: dict) -> Rationale | None:
    """A decision's rationale from its stored fields: measured the cheapest way to its words
    (the schema keeps no term vectors, and its positions are per word, across all decisions)."""
    text = stored.get("rationale")
    if not text:
        return None
    split = list(sentences(text))
    return Rationale(split, _joined(split), stored.get("outcome", ""))


def _count(
    searcher: Searcher, passages: list[Gram], matched: list[int], sample: dict[int, Rationale]
) -> tuple[dict[Gram, list[tuple[int, str]]], Counter[str]]:
    """(docnum, outcome) of every match whose rationale holds each passage, in index order,
    and the outcomes of the matches with a rationale: exact, from the sample when it is every
    match, else from every match's stored rationale."""
    needles = [(p, " " + " ".join(p) + " ") for p in passages]
    holders: dict[Gram, list[tuple[int, str]]] = {p: [] for p in passages}
    outcomes: Counter[str] = Counter()
    whoosh = searcher.whoosh
    complete = len(matched) <= SAMPLE
    for docnum in matched:
        r = sample.get(docnum)
        if r is None and not complete:
            r = _rationale(whoosh.stored_fields(docnum))
        if r is None:
            continue
        outcomes[r.outcome] += 1
        for passage, needle in needles:
            if needle in r.joined:
                holders[passage].append((docnum, r.outcome))
    return holders, outcomes


def _phrase(text: str, passage: Gram, holders: list[tuple[int, str]]) -> Phrase:
    """A passage and its decisions among the matches; its example is the docnum of the first,
    until `phrases` makes it a citation."""
    outcomes = Counter(outcome for _, outcome in holders)
    quoted = " ".join(passage)
    clause = f'rationale:"{quoted}"'
    return Phrase(
        quoted,
        len(holders),
        outcomes[UPHELD],
        outcomes[OVERTURNED],
        0.0,
        0.0,
        str(holders[0][0]),
        f"({text}) AND {clause}" if text.strip() else clause,
    )


def _background(searcher: Searcher) -> list[tuple[int, str]]:
    """BACKGROUND decisions evenly spaced over the whole index, each with its rationale's
    sentences joined ("" without one), read once per open index."""
    whoosh = searcher.whoosh
    found = _BACKGROUNDS.get(whoosh)
    if found is None:
        # key order (path, item): a sharded index draws the same sample
        every = ties.ordered(whoosh.reader(), whoosh.docs_for_query(decision_filter()))
        everywhere = evenly(every, BACKGROUND)
        rationales = read(searcher, everywhere)
        found = [(n, rationales[n].joined if n in rationales else "") for n in everywhere]
        _BACKGROUNDS[whoosh] = found
    return found


def _elsewhere(searcher: Searcher, found: list[Phrase], matched: set[int]) -> None:
    """Each passage's estimated share of the decisions outside the matches: its share of the
    background sample's decisions that are not matches (0 when all of them are)."""
    others = [joined for n, joined in _background(searcher) if n not in matched]
    for p in found:
        needle = f" {p.text} "
        p.elsewhere = sum(needle in joined for joined in others) / len(others) if others else 0.0


def _against_index(
    searcher: Searcher, text: str, total: int, found: list[Phrase], limit: int
) -> PhraseReport:
    """The passages most distinctive of the matches against the rest of the index, by G² of
    their exact count in the matches against their estimated count in the rest."""
    rest = max(0, searcher.whoosh.doc_frequency("hit", "yes") - total)
    scored = []
    for p in found:
        a, b = p.decisions, p.elsewhere * rest
        if not rest:
            p.score = float(a)  # the matches are the whole index: frequency alone
        elif a / total > p.elsewhere:
            p.score = g2(a, b, total - a, rest - b)
        else:
            continue
        scored.append(p)
    scored.sort(key=lambda p: (-p.score, -p.decisions, p.text))
    return PhraseReport(text, total, scored[:limit])


def _by_outcome(
    text: str, total: int, found: list[Phrase], outcomes: Counter[str], limit: int
) -> PhraseReport:
    """The passages most distinctive of upheld decisions against overturned ones among the
    matches, and the other way round: G² of the 2×2 table (with and without the passage,
    upheld and overturned) within the matches, from exact counts."""
    upheld, overturned = outcomes[UPHELD], outcomes[OVERTURNED]
    sides: dict[str, list[Phrase]] = {UPHELD: [], OVERTURNED: []}
    for p in found:
        a, b = p.upheld, p.overturned
        if not upheld or not overturned or a / upheld == b / overturned:
            continue
        side = UPHELD if a / upheld > b / overturned else OVERTURNED
        p.score = g2(a, b, upheld - a, overturned - b)
        sides[side].append(p)
    for listed in sides.values():
        listed.sort(key=lambda p: (-p.score, -p.decisions, p.text))
        del listed[limit:]
    return PhraseReport(text, total, [], sides)


def _passages(counts: Counter[Gram], minimum: int) -> list[Gram]:
    """Recurring runs chained into their longest stable passages, the most frequent first; a
    run already inside a longer passage is not listed again."""
    recurring = {g: n for g, n in counts.items() if n >= minimum}
    following: dict[Gram, list[Gram]] = {}
    preceding: dict[Gram, list[Gram]] = {}
    for gram in recurring:
        following.setdefault(gram[:-1], []).append(gram)
        preceding.setdefault(gram[1:], []).append(gram)
    used: set[Gram] = set()
    shown: set[Gram] = set()  # the runs of the passages listed
    out = []
    for gram, count in sorted(recurring.items(), key=lambda kv: (-kv[1], kv[0])):
        if gram in used:
            continue
        passage, chain, seed = list(gram), [gram], 0
        for step, table in ((1, following), (-1, preceding)):
            edge = gram
            while len(passage) < RUN:
                key = edge[1:] if step == 1 else edge[:-1]
                nexts = [g for g in table.get(key, ()) if g not in chain]
                if not nexts:
                    break
                best = max(nexts, key=lambda g: recurring[g])
                if recurring[best] < STABLE * count:
                    break
                chain.append(best)
                if step == 1:
                    passage.append(best[-1])
                else:
                    passage.insert(0, best[0])
                    seed += 1
                edge = best
        used.update(chain)
        start = max(0, min(seed - (LONGEST - BASE) // 2, len(passage) - LONGEST))
        window = tuple(passage[start : start + LONGEST])
        runs = _grams([list(window)], BASE)
        if runs & shown:  # a window of a passage already listed
            continue
        shown.update(runs)
        out.append(window)
    return out


class _Stored:
    """A document's stored fields in the shape `Searcher.make_hit` reads (a Whoosh hit)."""

    def __init__(self, fields: dict) -> None:
        self._fields = fields
        self.score = 0.0

    def fields(self) -> dict:
        return self._fields
