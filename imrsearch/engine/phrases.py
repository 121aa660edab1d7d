"""`imrsearch phrases`: the passages that recur in the rationales of a search's matches.

One pass over the matching rationales (stored in the index) counts, per decision, each run of
4 words within a sentence (as the index splits sentences, so every passage is a phrase the
query language finds). Runs that recur are chained into the longest stable passage: a run is
extended by the next word while the longer passage keeps at least STABLE of its decisions, up
to 12 words. The most frequent passages are then scored against the whole index: each one's
decisions across the index are read from the positional postings (a phrase query), and
passages are ranked by Dunning's log-likelihood G² of the 2×2 table (decisions with and
without the passage, in the matches and in the rest of the index), keeping those the matches
use more than the rest. With `by_outcome`, the same passages are scored upheld against
overturned, within the matches.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Iterator

from whoosh import query as wq

from imrsearch.engine import ties
from imrsearch.engine.query import decision_filter
from imrsearch.engine.schema import break_between
from imrsearch.engine.search import Searcher
from imrsearch.model import OVERTURNED, UPHELD, Highlight, Phrase, PhraseReport

BASE = 4  # words in the runs counted
LONGEST = 12
RUN = 60  # a stable run is followed this far, so a window of it is not listed twice
STABLE = 0.8  # a longer passage keeps at least this share of the shorter one's decisions
CANDIDATES = 60  # passages scored against the index, the most frequent first
_WORD = re.compile(r"\w+(?:\.?\w+)*")  # the index's words (Whoosh's RegexTokenizer)

Gram = tuple[str, ...]


def sentences(text: str) -> Iterator[list[str]]:
    """The words of each sentence of `text` (lower case), split where the index splits them."""
    lowered = text.lower()
    words: list[str] = []
    previous_end = None
    for match in _WORD.finditer(lowered):
        start = match.start()
        if (
            previous_end is not None
            and lowered[previous_end:start] != " "
            and break_between(text, previous_end, start, words[-1])
        ):
            yield words
            words = []
        words.append(match.group())
        previous_end = match.end()
    if words:
        yield words


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
    whoosh = searcher.whoosh
    matched = ties.ordered(whoosh.reader(), searcher.matches(text).docs())
    docs: dict[int, tuple[str, str]] = {}  # docnum → (sentences joined, outcome)
    counts: dict[str, Counter[Gram]] = {}  # per outcome with `by_outcome`, else under ""
    for docnum in matched:
        stored = whoosh.stored_fields(docnum)
        rationale = stored.get("rationale") or ""
        if not rationale:
            continue
        split = list(sentences(rationale))
        outcome = stored.get("outcome", "")
        docs[docnum] = (_joined(split), outcome)
        counts.setdefault(outcome if by_outcome else "", Counter()).update(_grams(split, BASE))
    total = len(matched)
    candidates: dict[Gram, None] = {}
    for side, counted in sorted(counts.items()):
        if not by_outcome or side in (UPHELD, OVERTURNED):
            candidates.update(dict.fromkeys(_passages(counted, max(2, minimum))[:CANDIDATES]))
    found = []
    for passage in candidates:
        needle = " " + " ".join(passage) + " "
        holders = [n for n, (joined, _) in docs.items() if needle in joined]
        if len(holders) < minimum:
            continue
        found.append(_phrase(text, passage, holders, docs))
    if by_outcome:
        outcomes = Counter(outcome for _, outcome in docs.values())
        report = _by_outcome(text, total, found, outcomes, limit, started)
        for listed in report.by_outcome.values():
            _complete(searcher, listed)
        report.elapsed = time.perf_counter() - started
        return report
    rest = max(0, _decisions(searcher) - total)
    scored = []
    for p in found:
        p.index_decisions = _in_index(searcher, p.text.split())
        a, b = p.decisions, p.index_decisions - p.decisions
        if total and rest and a / total > b / rest:
            p.score = g2(a, b, total - a, rest - b)
        elif not rest:
            p.score = float(a)  # the matches are the whole index: frequency alone
        else:
            continue
        scored.append(p)
    scored.sort(key=lambda p: (-p.score, -p.decisions, p.text))
    _complete(searcher, scored[:limit])
    return PhraseReport(text, total, scored[:limit], elapsed=time.perf_counter() - started)


def _decisions(searcher: Searcher) -> int:
    return searcher.whoosh.doc_frequency("hit", "yes")


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


def _phrase(text: str, passage: Gram, holders: list[int], docs) -> Phrase:
    """A passage and its decisions among the matches; its index count and example citation
    are filled in by `_in_index` and `_complete`, for the passages that need them."""
    outcomes = Counter(docs[n][1] for n in holders)
    quoted = " ".join(passage)
    clause = f'rationale:"{quoted}"'
    return Phrase(
        quoted,
        len(holders),
        outcomes[UPHELD],
        outcomes[OVERTURNED],
        -1,
        0.0,
        str(holders[0]),  # the docnum, until `_complete` makes it a citation
        f"({text}) AND {clause}" if text.strip() else clause,
    )


def _in_index(searcher: Searcher, words: list[str]) -> int:
    """Decisions of the whole index whose rationale holds the passage (its phrase query)."""
    everywhere = wq.And([decision_filter(), wq.Phrase("rationale", words)])
    return sum(1 for _ in searcher.whoosh.docs_for_query(everywhere))


def _complete(searcher: Searcher, listed: list[Phrase]) -> None:
    for p in listed:
        if p.index_decisions < 0:
            p.index_decisions = _in_index(searcher, p.text.split())
        stored = searcher.whoosh.stored_fields(int(p.example))
        p.example = searcher.make_hit(_Stored(stored), Highlight()).citation()


class _Stored:
    """A document's stored fields in the shape `Searcher.make_hit` reads (a Whoosh hit)."""

    def __init__(self, fields: dict) -> None:
        self._fields = fields
        self.score = 0.0

    def fields(self) -> dict:
        return self._fields


def _by_outcome(
    text: str, total: int, found: list[Phrase], outcomes: Counter[str], limit: int, started: float
) -> PhraseReport:
    """The passages most distinctive of upheld decisions against overturned ones among the
    matches, and the other way round: G² of the 2×2 table (with and without the passage,
    upheld and overturned) within the matches."""
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
    return PhraseReport(text, total, [], sides, time.perf_counter() - started)
