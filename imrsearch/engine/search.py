"""Search the live index: hits with snippets, facet counts, whole letters for `show`."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from whoosh import collectors
from whoosh import query as wq

from imrsearch.engine import bulk, shards, ties
from imrsearch.engine.collect import needs_hit_filter
from imrsearch.engine.facets import FacetCounter
from imrsearch.engine.highlighting import query_highlight
from imrsearch.engine.limits import Budget, Cancel, SearchStopped
from imrsearch.engine.mapped import Checkpoint, MappedStorage
from imrsearch.engine.narrow import Clauses
from imrsearch.engine.passages import passage
from imrsearch.engine.query import check_expansion, decision_filter, make_parser, parse_query
from imrsearch.engine.records import decode_record
from imrsearch.engine.registry import BY_NAME
from imrsearch.engine.schema import FACET_FIELDS, HIT, KIND_LETTER
from imrsearch.engine.snippets import lead, snippet_from
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError, QueryError
from imrsearch.highlight import Matches, find
from imrsearch.model import (
    Citation,
    Facet,
    FacetValue,
    Highlight,
    Hit,
    Letter,
    SearchResult,
    Snippet,
    SortOrder,
    page_marks,
)
from imrsearch.vocab.paths import display_path

if TYPE_CHECKING:  # loaded with the first searcher that has workers: a command has none
    from imrsearch.engine.parallel import SearchWorkers

FACET_NAMES = FACET_FIELDS
SORTS = ("relevance", "date")
_SNIPPET_FIELDS = ("rationale", "service")
# Longest a search may run (see `limits`). The slowest benchmark query takes about 0.8 s on
# 100,000 letters and 1.3 s on 300,000 (BENCHMARKS.md); a search that runs longer fails rather
# than answer with fewer hits.
SEARCH_SECONDS = 30.0
# Documents from which a search is shared with the workers, if there are any: below it, the
# messages cost more than the second core saves (BENCHMARKS.md, "Searching in two processes").
SHARED_FROM = 100_000


class Searcher:
    """An open index; cheap to query many times (the TUI keeps one)."""

    _workers: SearchWorkers | None = None

    def __init__(
        self,
        store: IndexStore,
        time_limit: float = SEARCH_SECONDS,
        generation: Path | None = None,
        workers: int = 0,
        fork: bool = False,
    ) -> None:
        """`generation`: that one rather than the live one (a search worker's); `workers`:
        processes that read a share of each search's segments (see `parallel`), forked from
        this one with `fork` (only in a process that runs no other thread)."""
        self._store = store
        self.time_limit = time_limit
        self._checkpoint = Checkpoint()
        self._budget = Budget(time_limit)
        self._open(generation or store.require_live())
        if workers:
            from imrsearch.engine.parallel import SearchWorkers

            self._workers = SearchWorkers(store.root, workers, self if fork else None)
            if self._shared():
                self._workers.start()  # ready by the first search

    def _open(self, generation) -> None:
        self.generation = generation
        self._ix = shards.open_index(MappedStorage(str(generation), self._checkpoint), generation)
        self._searcher = self._ix.searcher()
        self._parser = make_parser(self._ix.schema)
        self._facet_counter = FacetCounter(self._searcher.reader())
        self._sizes = [sub.doc_count_all() for sub, _ in self._searcher.leaf_searchers()]

    def refresh(self) -> None:
        """Read the newest published index from now on (the TUI calls this per search; a
        command keeps one snapshot for its whole run)."""
        live = self._store.live()
        if live is not None and live != self.generation:
            self._close_index()  # the workers stay: they follow the generation asked
            self._open(self._store.require_live())

    def _still_there(self) -> None:
        """The generation this searcher reads is deleted after two publishes: move on."""
        if not self.generation.is_dir():
            self.refresh()

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        self._close_index()

    def _close_index(self) -> None:
        self._searcher.close()
        self._ix.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def parse(self, text: str):
        return parse_query(self._parser, text)

    def share(self, text: str, segments: list[int], stop: Cancel) -> bulk.Scores:
        """The scores of `text` in the segments at these positions: a search worker's share
        of a search (the query was checked where it was asked)."""
        with self._limited(stop):
            return bulk.search(
                self._searcher, self._query(self.parse(text)), self._budget.check, True, segments
            )

    def search(
        self,
        text: str,
        limit: int | None = 20,
        sort: str = "relevance",
        facets: tuple[str, ...] = (),
        facet_limit: int = 10,
        cancel: threading.Event | None = None,
    ) -> SearchResult:
        """The first `limit` hits (every hit with None), the exact total and facet counts;
        `SearchStopped` if `cancel` is set or the time limit passes before it is done."""
        with self._limited(cancel):
            return self._search(text, limit, sort, facets, facet_limit)

    def _search(
        self, text: str, limit: int | None, sort: str, facets: tuple[str, ...], facet_limit: int
    ) -> SearchResult:
        unknown = [f for f in facets if f not in FACET_NAMES]
        if unknown:
            raise ImrError(
                f"unknown facet '{unknown[0]}'", hint="facets: " + ", ".join(FACET_NAMES)
            )
        started = time.perf_counter()
        found = self._run(text, sort, limit)
        highlight = query_highlight(found.parsed, self._searcher.reader())
        shown = found.total if limit is None else min(limit, found.total)
        hits = [self._hit(found.ranked[i], highlight) for i in range(shown)]
        computed = self._facets(text, found.docs, facets, facet_limit) if facets else []
        whole = self._whole_letters(found.docs)
        elapsed = time.perf_counter() - started
        return SearchResult(
            text, found.total, hits, computed, elapsed, highlight, SortOrder(sort), whole
        )

    def iter_hits(
        self, text: str, sort: str = "relevance", cancel: threading.Event | None = None
    ) -> Iterator[Hit]:
        """Every hit, made one at a time as an export writes it."""
        with self._limited(cancel):
            found = self._run(text, sort, None)
        highlight = query_highlight(found.parsed, self._searcher.reader())
        for i in range(found.total):
            yield self._hit(found.ranked[i], highlight)

    def matches(self, text: str):
        """Every match of `text` as Whoosh results, for the research tools of the engine."""
        with self._limited(None):
            return self._run(text, "relevance", None).ranked

    def make_hit(self, hit, highlight: Highlight) -> Hit:
        """A Whoosh hit as the model's `Hit` (for the research tools of the engine)."""
        return self._hit(hit, highlight)

    @property
    def whoosh(self):
        """The Whoosh searcher (engine modules only: nothing outside the engine sees it)."""
        self._still_there()
        return self._searcher

    def highlight(self, text: str) -> Highlight:
        """What `text` looks for in a letter, for a view that shows one (`show --query`)."""
        parsed = self.parse(text)
        reader = self._searcher.reader()
        check_expansion(parsed, reader, text)
        return query_highlight(parsed, reader)

    @contextlib.contextmanager
    def _limited(self, cancel: Cancel | None) -> Iterator[None]:
        """Every read of the index checks the budget while the block runs; a search stopped
        half-way may leave Whoosh's reader half-way too, so the next one gets a fresh one."""
        self._budget = Budget(self.time_limit, cancel)
        self._checkpoint.check = self._budget.check
        try:
            yield
        except SearchStopped:
            self._checkpoint.check = None
            self._searcher.close()
            self._searcher = self._ix.searcher()
            self._facet_counter = FacetCounter(self._searcher.reader())
            raise
        finally:
            self._checkpoint.check = None

    def _run(self, text: str, sort: str, limit: int | None) -> _Found:
        """Every match of `text` and the first `limit` of them in order (all with None), or
        an error: never part of them (totals get quoted)."""
        self._still_there()
        if sort not in SORTS:
            raise QueryError(f"unknown sort '{sort}'", text, hint="use relevance or date")
        parsed = self.parse(text)
        check_expansion(parsed, self._searcher.reader(), text)
        return self._collected(text, parsed, self._query(parsed), sort, limit)

    @staticmethod
    def _query(parsed):
        return wq.And([decision_filter(), parsed]) if needs_hit_filter(parsed) else parsed

    def _collected(self, text: str, parsed, q, sort: str, limit: int | None) -> _Found:
        """Date order is unscored, collected by Whoosh; relevance reads every match and its
        score from the index a block at a time (`bulk`) and keeps the first `limit`."""
        if sort == "date":
            watched = _Deadline(ties.by_date(), self._budget)
            self._searcher.search_with_collector(q, watched)
            ranked = watched.results()
            return _Found(parsed, len(ranked), ranked.docs(), ranked)
        found = self._scores(text, q)
        return _Found(parsed, len(found), found.keys(), ties.best(self._searcher, q, found, limit))

    def _scores(self, text: str, q) -> bulk.Scores:
        """Every match and its score, the segments shared with the workers if there are
        any and more than one segment to share."""
        check = self._budget.check
        if self._workers is None or not self._shared():
            return bulk.search(self._searcher, q, check)
        return self._workers.scores(
            self.generation,
            text,
            self._sizes,
            lambda mine: bulk.search(self._searcher, q, check, True, mine),
            check,
            self.time_limit,
        )

    def _shared(self) -> bool:
        return len(self._sizes) >= 2 and sum(self._sizes) >= SHARED_FROM

    def _whole_letters(self, matched: AbstractSet[int]) -> int:
        """How many of `matched` are letters matched as a whole (they have no decision): few
        documents carry the mark, and with none in the index this costs nothing."""
        reader = self._searcher.reader()
        if ("whole", HIT.encode()) not in reader:
            return 0
        return sum(
            1 for docnum in reader.postings("whole", HIT.encode()).all_ids() if docnum in matched
        )

    def _hit(self, hit, highlight: Highlight) -> Hit:
        fields = hit.fields()
        if fields["kind"] == KIND_LETTER:
            return _letter_hit(decode_record(fields["record"]), float(hit.score or 0.0), highlight)
        snippet: Snippet | None = None
        matches: Matches | None = None
        for name in _SNIPPET_FIELDS:
            matches = find(fields.get(name, ""), highlight)
            snippet = snippet_from(fields.get(name, ""), matches)
            if snippet is not None:
                break
        if snippet is None:
            name, snippet, matches = "rationale", lead(fields.get("rationale", "")), None
        marks = [(int(o), int(p)) for o, p in (fields.get("pages_shown") or {}).get(name, [])]
        decided, injured = fields.get("decided"), fields.get("injured")
        specialties, states = fields.get("reviewer_shown") or ([], [])
        return Hit(
            case_number=fields.get("case") or None,
            path=fields["path"],
            item=fields["number"],
            service=fields["service"],
            outcome=fields.get("outcome", ""),
            drugs=list(fields.get("drugs_shown") or []),
            score=float(hit.score or 0.0),
            snippet=snippet,
            decision_date=decided.date() if decided else None,
            guideline_sources=[s for s in fields.get("source", "").split(",") if s],
            guidelines=[
                Citation(source, topic, tuple(pages))
                for source, topic, pages in fields.get("guidelines_shown") or []
            ],
            date_of_injury=injured.date() if injured else None,
            specialties=list(specialties),
            states=list(states),
            age=fields.get("age"),
            sex=fields.get("sex") or None,
            passage=passage(fields.get(name, ""), highlight, marks, name, matches=matches),
        )

    def _facets(self, text: str, docnums, names, limit) -> list[Facet]:
        """Counts per value among the matches; a value is `selected` when `text` requires it."""
        required = Clauses(self._parser, text)
        found = self._facet_counter.counts(names, docnums)
        facets = []
        for name in names:
            counts, upheld = found[name]
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            values = [
                FacetValue(v, c, upheld[v], selected=required.requires(name, v))
                for v, c in ordered[:limit]
            ]
            more = len(ordered) > limit
            facets.append(Facet(name, values, truncated=more, overlap=BY_NAME[name].overlap))
        return facets

    def letter(self, case_or_path: str) -> Letter:
        """The whole letter by case number (any case), path as indexed, path relative to the
        current folder, or file name (what hits print). Several letters under one key (a case
        number in two files) is an error that lists them: never a silent pick."""
        self._still_there()
        key = case_or_path.strip()
        for clause in (
            wq.Term("case", key.lower()),
            wq.Term("path", key),  # as hits and reports print it
            wq.Term("path", display_path(key)),  # a raw path, from a script
            wq.Term("path", display_path(os.path.abspath(key))),  # relative to this folder
            wq.Term("name", key),
        ):
            found = self._searcher.search(wq.And([wq.Term("kind", KIND_LETTER), clause]), limit=6)
            if len(found) == 1:
                return decode_record(found[0]["record"])
            if found:
                paths = sorted(hit["path"] for hit in found)
                more = " and more" if len(found) > len(paths[:5]) else ""
                raise ImrError(
                    f"{len(found)} letters match '{key}': {', '.join(paths[:5])}{more}",
                    hint="give the file's path (as these list it) to choose one",
                )
        raise ImrError(
            f"no letter with case number, path or file name '{key}' in the index",
            hint="case numbers look like CM16-0213037; search with: imrsearch query case:...",
        )


def _letter_hit(letter: Letter, score: float, highlight: Highlight) -> Hit:
    """A letter with no decision, as one hit: its values, and a passage of its whole text."""
    matches = find(letter.text, highlight)
    return Hit(
        case_number=letter.case_number,
        path=letter.path,
        item=None,
        service="",
        outcome="",
        drugs=[],
        score=score,
        snippet=snippet_from(letter.text, matches) or lead(letter.text),
        decision_date=letter.decision_date,
        date_of_injury=letter.date_of_injury,
        specialties=list(letter.reviewer.specialties),
        states=list(letter.reviewer.states),
        age=letter.patient.age,
        sex=letter.patient.sex,
        passage=passage(letter.text, highlight, page_marks(letter.text), "text", matches=matches),
    )


class _Found(NamedTuple):
    parsed: wq.Query
    total: int
    docs: AbstractSet[int]  # every match
    ranked: Any  # the first hits in order (Whoosh's results), as many as were asked for


class _Deadline(collectors.WrappingCollector):
    """Checks the search's budget at each match, between the reads that check it too.

    Whoosh's TimeLimitCollector sets a process-wide SIGALRM handler, which only the main thread
    may do (the TUI searches in a worker thread), or else starts a timer thread, which makes a
    short limit a race; reading the clock at each match is cheap and exact.
    """

    def __init__(self, child, budget: Budget) -> None:
        super().__init__(child)
        self.budget = budget

    def collect_matches(self) -> None:
        child, check = self.child, self.budget.check
        for sub_docnum in child.matches():
            check()
            child.collect(sub_docnum)
