"""Search the live index: hits with snippets, facet counts, whole letters for `show`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting

from imrsearch.engine.query import decision_filter, make_parser, parse_query
from imrsearch.engine.records import decode_record
from imrsearch.engine.schema import FACET_FIELDS, FACET_SEP, KIND_LETTER
from imrsearch.engine.snippets import make_snippet, query_phrases
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError, QueryError
from imrsearch.model import Facet, FacetValue, Hit, Letter, SearchResult

FACET_NAMES = FACET_FIELDS
SORTS = ("relevance", "date")
_SNIPPET_FIELDS = ("rationale", "service")


class Searcher:
    """An open index; cheap to query many times (the TUI keeps one)."""

    def __init__(self, store: IndexStore) -> None:
        self.generation = store.require_live()
        self._ix = whoosh_index.open_dir(str(self.generation))
        self._searcher = self._ix.searcher()
        self._parser = make_parser(self._ix.schema)

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def parse(self, text: str):
        return parse_query(self._parser, text)

    def search(
        self,
        text: str,
        limit: int | None = 20,
        sort: str = "relevance",
        facets: tuple[str, ...] = (),
        facet_limit: int = 10,
    ) -> SearchResult:
        if sort not in SORTS:
            raise QueryError(f"unknown sort '{sort}'", text, hint="use relevance or date")
        unknown = [f for f in facets if f not in FACET_NAMES]
        if unknown:
            raise ImrError(
                f"unknown facet '{unknown[0]}'", hint="facets: " + ", ".join(FACET_NAMES)
            )
        started = time.perf_counter()
        parsed = self.parse(text)
        kwargs = {}
        if sort == "date":  # undated letters sort as 0, so last
            kwargs = {"sortedby": sorting.FieldFacet("decided_key", reverse=True)}
        # The kind test is part of the query, not a filter: Whoosh's estimated total for a
        # limited search ignores filters and would count letter documents too.
        results = self._searcher.search(
            wq.And([decision_filter(), parsed]), limit=limit, terms=True, **kwargs
        )
        hits = [self._hit(hit, parsed) for hit in results]
        total = len(results)
        computed = self._facets(results.docs(), facets, facet_limit) if facets else []
        return SearchResult(text, total, hits, computed, time.perf_counter() - started)

    def iter_hits(self, text: str, sort: str = "relevance") -> Iterator[Hit]:
        """Every matching decision, one at a time (exports stream rather than load all)."""
        yield from self.search(text, limit=None, sort=sort).hits

    def _hit(self, hit, parsed) -> Hit:
        fields = hit.fields()
        matched: dict[str, set[str]] = {}
        for field, term in hit.matched_terms():
            if field in _SNIPPET_FIELDS:  # numeric and date terms are not text
                matched.setdefault(field, set()).add(term.decode("utf-8", "replace"))
        snippet = ""
        for name in _SNIPPET_FIELDS:
            if name in matched:
                analyzer = self._ix.schema[name].analyzer
                phrases = query_phrases(parsed, name)
                snippet = make_snippet(fields.get(name, ""), analyzer, matched[name], phrases)
                break
        if not snippet:
            snippet = make_snippet(fields.get("rationale", ""), None, set(), [])
        decided = fields.get("decided")
        return Hit(
            case_number=fields.get("case") or None,
            source=fields["path"],
            decision=fields["number"],
            service=fields["service"],
            outcome=fields.get("outcome", ""),
            drugs=list(fields.get("drugs_shown") or []),
            score=float(hit.score or 0.0),
            snippet=snippet,
            decision_date=decided.date() if decided else None,
            specialties=[s for s in fields.get("specialty", "").split(", ") if s],
            sources=[s for s in fields.get("source", "").split(",") if s],
        )

    def _facets(self, docnums, names, limit) -> list[Facet]:
        docnums = list(docnums)
        reader = self._searcher.reader()
        outcome = reader.column_reader("facet_outcome")
        upheld_docs = {d for d in docnums if outcome[d] == b"upheld"}
        facets = []
        for name in names:
            column = reader.column_reader(f"facet_{name}")
            counts: Counter[str] = Counter()
            upheld: Counter[str] = Counter()
            for docnum in docnums:
                raw = column[docnum]
                if not raw:
                    continue
                for value in raw.decode().split(FACET_SEP):
                    counts[value] += 1
                    if docnum in upheld_docs:
                        upheld[value] += 1
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            values = [FacetValue(v, c, upheld[v]) for v, c in ordered[:limit]]
            facets.append(Facet(name, values, truncated=len(ordered) > limit))
        return facets

    def letter(self, case_or_path: str) -> Letter:
        """The whole letter by case number (case-insensitive) or source path."""
        key = case_or_path.strip()
        q = wq.And(
            [
                wq.Term("kind", KIND_LETTER),
                wq.Or([wq.Term("case", key.lower()), wq.Term("path", key)]),
            ]
        )
        found = self._searcher.search(q, limit=1)
        if not found:
            raise ImrError(
                f"no letter with case number or path '{key}' in the index",
                hint="case numbers look like CM16-0213037; search with: imrsearch query case:...",
            )
        return decode_record(found[0]["record"])
