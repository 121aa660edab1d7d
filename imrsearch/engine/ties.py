"""Equal scores and equal dates in one order, whatever the index's layout.

Whoosh breaks ties by document number, which is an accident of how the index was written: the
order letters reached the writer processes of a parallel build, or the shard a letter went to.
Here a tie is broken by the document's `order` (its letter's path, then the decision's number),
so an index built in one process, in several, or in shards lists the same hits in the same
order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from heapq import heapify, heappush, heapreplace, nlargest
from typing import Any

from whoosh import collectors, searching, sorting

from imrsearch.engine.segments import by_segment

KEY = "order"


class _Later:
    """A key that compares in reverse: in the top-k heap the worst entry is the least, and among
    equal scores the worst is the greatest key."""

    __slots__ = ("key",)

    def __init__(self, key: bytes) -> None:
        self.key = key

    def __lt__(self, other: _Later) -> bool:
        return self.key > other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Later) and self.key == other.key


class StableTop(collectors.TopCollector):
    """Whoosh's top-k collector (block skipping included) with ties broken by key. A block is
    skipped only if it cannot reach the heap's least score, not if it can tie it: a tie may have
    a lesser key."""

    items: list[Any]  # (score, _Later(key), docnum), a heap

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self._keys = top_searcher.reader().column_reader(KEY)

    def _collect(self, global_docnum: int, score: float) -> float:
        items = self.items
        self.total += 1
        if len(items) >= self.limit and score < items[0][0]:
            return 0
        entry = (score, _Later(self._keys[global_docnum]), global_docnum)
        if len(items) < self.limit:
            heappush(items, entry)
        elif entry > items[0]:
            heapreplace(items, entry)
        else:
            return 0
        if len(items) >= self.limit:
            self.minscore = math.nextafter(items[0][0], -math.inf)
        return 0 - score

    def remove(self, global_docnum: int) -> None:
        """Drop a document from the top (Whoosh's own `remove` expects pairs, not triples)."""
        kept: list[Any] = [entry for entry in self.items if entry[2] != global_docnum]
        heapify(kept)
        self.items = kept

    def results(self) -> Any:
        return self._results(self._ranked())

    def _ranked(self) -> list[tuple[float, int]]:
        return [(score, docnum) for score, _key, docnum in sorted(self.items, reverse=True)]


class StableAll(collectors.UnlimitedCollector):
    """Every match, scored, best first; ties by key."""

    def results(self) -> Any:
        keys = self.top_searcher.reader().column_reader(KEY)
        self.items.sort(key=lambda item: (0 - item[0], keys[item[1]]))
        return self._results(self.items, docset=self.docset)


def ordered(reader: Any, docnums: Iterable[int]) -> list[int]:
    """Documents in key order: what a tool that lists or counts them in turn walks through, so
    that its first and its ties do not depend on the layout."""
    keys = reader.column_reader(KEY)
    return sorted(docnums, key=keys.__getitem__)


def scored(limit: int | None) -> collectors.ScoredCollector:
    """The collector of the first `limit` matches by relevance (all with None)."""
    return StableAll() if limit is None else StableTop(limit=limit)


def best(searcher: Any, q: Any, scores: dict[int, float], limit: int | None) -> Any:
    """The first `limit` documents of `scores` (all with None) by score, ties by key, as
    Whoosh's results of `q` whose docset is every document of `scores`."""
    chosen = scores
    if limit is not None and len(scores) > limit:
        floor = nlargest(limit, scores.values())[-1] if limit else math.inf
        chosen = {docnum: score for docnum, score in scores.items() if score >= floor}
    keys = _keys(searcher, chosen)
    top = sorted(chosen.items(), key=lambda item: (0 - item[1], keys[item[0]]))[:limit]
    return searching.Results(searcher, q, [(score, d) for d, score in top], docset=scores.keys())


def _keys(searcher: Any, docnums: Iterable[int]) -> dict[int, bytes]:
    """The keys of `docnums`, each read from its own segment's column: through the index's
    column reader a key cost four calls, and a common word ties thousands at the floor."""
    keys: dict[int, bytes] = {}
    for leaf, start, local in by_segment(searcher.reader(), docnums):
        if local:
            column = _key_column(leaf)
            keys.update((start + docnum, column[docnum]) for docnum in local)
    return keys


def _key_column(leaf: Any) -> Any:
    """A segment's key column, opened once per open segment: opening it reads the place of
    every document's key (50 ms a search over 20 segments at 100,000 letters)."""
    column = getattr(leaf, "_imrsearch_keys", None)
    if column is None:
        column = leaf._imrsearch_keys = leaf.column_reader(KEY)
    return column


class _StableSorted(collectors.SortingCollector):
    """Whoosh's sorting collector, equal sort keys ordered by key."""

    def results(self) -> Any:
        keys = self.top_searcher.reader().column_reader(KEY)
        self.items.sort(key=lambda item: (item[0], keys[item[1]]))
        return self._results(self.items, docset=self.docset)


def by_date() -> collectors.Collector:
    """The collector of every match newest first (undated last, as 0), ties by key; unscored.
    A hit's score is its sort key, as with Whoosh's own."""
    return _StableSorted(sorting.FieldFacet("decided_key", reverse=True), limit=None)
