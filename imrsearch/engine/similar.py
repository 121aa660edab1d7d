"""`imrsearch similar`: the decisions most like one decision (Whoosh's more-like-this).

The decision's rationale, item and drugs are read as text; Whoosh's Bo1 model picks the terms
of each field that are frequent in it and rare in the index (so "the" and "request" weigh
nothing, "benzodiazepines" and "dependence" much); every decision holding some of them is
scored on them, and each hit says which key terms it shares.
"""

from __future__ import annotations

import time

from whoosh import collectors
from whoosh import query as wq

from imrsearch.engine import ties
from imrsearch.engine.query import decision_filter
from imrsearch.engine.search import Searcher
from imrsearch.errors import ImrError
from imrsearch.model import Highlight, SearchResult, SharedTerm, Similar

# How many key terms each field gives the comparison, and its weight (the drug names say most).
FIELDS = (("rationale", 25, 1.0), ("service", 6, 1.5), ("drug", 4, 2.0))
# A word in more than this share of the decisions ("the", "not", "request") says nothing of
# likeness, however often the decision uses it; a short rationale would otherwise pick them.
COMMON = 0.3


def similar(searcher: Searcher, case: str, number: int | None = None, limit: int = 20) -> Similar:
    started = time.perf_counter()
    letter = searcher.letter(case)
    if not letter.decisions:
        raise ImrError(f"{letter.case_number or case} has no decision to compare")
    if number is None:
        number = 1
    if not 1 <= number <= len(letter.decisions):
        raise ImrError(
            f"{letter.case_number or case} has {len(letter.decisions)} item(s), not {number}"
        )
    decision = letter.decisions[number - 1]
    texts = {
        "rationale": decision.rationale,
        "service": decision.service,
        "drug": " , ".join(f"{d.name} , {d.generic}" for d in decision.drugs),
    }
    whoosh = searcher.whoosh
    reader = whoosh.reader()
    common = COMMON * max(1, reader.doc_frequency("hit", "yes"))
    terms: list[SharedTerm] = []
    clauses = []
    for field, count, weight in FIELDS:
        if not texts[field].strip():
            continue
        for term, score in whoosh.key_terms_from_text(field, texts[field], numterms=count):
            if reader.doc_frequency(field, term) > common:
                continue
            terms.append(SharedTerm(field, term))
            clauses.append(wq.Term(field, term, boost=weight * score))
    source = f"{letter.case_number or letter.path}, item {number}"
    if not clauses:
        raise ImrError(f"{source} has no words to compare")
    itself = wq.Term("doc_id", f"{letter.path}#{number}")
    # Whoosh's own collector would order equal likeness by document number (see `ties`)
    # (the filter wraps last, so that it sees the documents first)
    collector = collectors.FilterCollector(
        collectors.TermsCollector(ties.scored(limit)), restrict=itself
    )
    whoosh.search_with_collector(wq.And([decision_filter(), wq.Or(clauses)]), collector)
    found = collector.results()
    highlight = Highlight(words=frozenset(t.term for t in terms if t.field != "drug"))
    hits, shared = [], []
    for hit in found:
        hits.append(searcher.make_hit(hit, highlight))
        matched = {(f, t.decode()) for f, t in hit.matched_terms()}
        shared.append([t for t in terms if (t.field, t.term) in matched])
    result = SearchResult(
        f"similar to {source}",
        len(found),
        hits,
        elapsed=time.perf_counter() - started,
        highlight=highlight,
    )
    return Similar(source, terms, result, shared)
