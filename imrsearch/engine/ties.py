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
from heapq import heapify, heappush, heapreplace
from typing import Any

from whoosh import collectors, sorting

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


class StableTopOfAll(StableTop):
    """The top `limit` as `StableTop` keeps them, and every match in the docset, in one pass
    that skips nothing: for queries whose matches are scored as they are found anyway
    (`collect.scores_apart`). Sorting every match, as `StableAll` does, cost a fifth of a
    common phrase's search for hits no one asked for. Neither block skipping nor Whoosh's
    matcher replacement (which drops an OR's branches that cannot reach the top) may run:
    both would leave matches out of the docset, whose size is the total."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False, replace=0)

    def _use_block_quality(self) -> bool:
        return False

    def _collect(self, global_docnum: int, score: float) -> float:
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)

    def results(self) -> Any:
        return self._results(self._ranked(), docset=self.docset)


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


def scored_top_of_all(limit: int) -> collectors.ScoredCollector:
    """The collector of the first `limit` matches by relevance and the set of all of them."""
    return StableTopOfAll(limit)


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
