"""`Letter` → the Whoosh documents that index it (one per decision, one for the letter)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from imrsearch.engine.records import encode_record
from imrsearch.engine.schema import (
    FACET_SEP,
    HIT,
    KIND_DECISION,
    KIND_LETTER,
    PAIRED_FIELDS,
    pairs_field,
)
from imrsearch.model import Decision, Letter
from imrsearch.vocab.categories import age_band, categorize, month_of, topic_of
from imrsearch.vocab.drugs import equivalents

_PAGE_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_MAX_RANGE = 60  # a cited range wider than this is a typo, not pages to enumerate


def letter_documents(letter: Letter) -> list[dict[str, Any]]:
    """The letter document first, then one document per decision, in letter order.

    The clinical summary is indexed on the letter document only: repeated on each decision it
    was nearly half of all indexing work. Queries reach it through the letter (see
    `engine.query.parse_query`), which needs the documents written as one group.

    A letter with no decision is a hit itself: its document takes the letter-level fields and
    the whole text, so that words, phrases and fields such as `format:unknown` find it."""
    shared = _letter_fields(letter)
    head = {
        "kind": KIND_LETTER,
        "doc_id": letter.path,
        "order": order_key(letter.path, None),
        "path": letter.path,
        "name": letter.path.rsplit("/", 1)[-1],
        "case": letter.case_number or "",
        "format": letter.format,
        "summary": letter.summary,
        "record": encode_record(letter),
    }
    if not letter.decisions:
        head = {**shared, **head, "text": letter.text, "whole": HIT}
    docs = [head]
    docs.extend(_decision_document(letter, d, shared) for d in letter.decisions)
    for doc in docs:  # each text again, for its field of pairs
        doc.update({pairs_field(n): doc[n] for n in PAIRED_FIELDS if doc.get(n)})
    return docs


def _day(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day) if value else None


def _letter_fields(letter: Letter) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": KIND_DECISION,
        "hit": HIT,
        "path": letter.path,
        "case": letter.case_number or "",
        "format": letter.format,
        "specialty": ", ".join(letter.reviewer.specialties),
        "state": ", ".join(letter.reviewer.states),
        "reviewer_shown": [list(letter.reviewer.specialties), list(letter.reviewer.states)],
        "facet_specialty": _facet(letter.reviewer.specialties),
        "facet_format": _facet([letter.format]),
        "facet_state": _facet(letter.reviewer.states),
    }
    band = age_band(letter.patient.age)
    if band:
        fields["ageband"] = band
        fields["facet_ageband"] = _facet([band])
    month = month_of(letter.decision_date)
    if month:
        fields["month"] = month
        fields["facet_month"] = _facet([month])
    if letter.patient.age is not None:
        fields["age"] = letter.patient.age
    if letter.patient.sex:
        fields["sex"] = letter.patient.sex
        fields["facet_sex"] = _facet([letter.patient.sex])
    for name, value in (
        ("injured", letter.date_of_injury),
        ("decided", letter.decision_date),
        ("assigned", letter.date_assigned),
    ):
        if value:
            fields[name] = _day(value)
    day = letter.decision_date
    fields["decided_key"] = day.year * 10000 + day.month * 100 + day.day if day else 0
    if day:
        fields["year"] = day.year
        fields["facet_year"] = _facet([str(day.year)])
    return fields


def order_key(path: str, number: int | None) -> bytes:
    """Where a document goes among equals (`engine.ties`): by path, the letter before its
    decisions, the decisions by number."""
    item = b"" if number is None else b"\0" + number.to_bytes(4, "big", signed=False)
    return path.encode("utf-8", "surrogatepass") + item


def _decision_document(
    letter: Letter, decision: Decision, shared: dict[str, Any]
) -> dict[str, Any]:
    names: list[str] = []
    for drug in decision.drugs:
        names.extend(sorted(equivalents(drug.name) | {drug.generic.lower()}))
    sources = list(dict.fromkeys(c.source for c in decision.guidelines))
    category, subcategory = categorize(decision.service, decision.drugs)
    topics = list(dict.fromkeys(topic_of(c.topic) for c in decision.guidelines))
    pages = list(dict.fromkeys(p for c in decision.guidelines for p in _expand_pages(c.pages)))
    doc = dict(shared)
    doc.update(
        doc_id=f"{letter.path}#{decision.number}",
        order=order_key(letter.path, decision.number),
        number=decision.number,
        # `service:` words find a partial authorisation by any of its requests; the item
        # stored and shown stays the IMR-eligible one
        service=_service_words(decision),
        _stored_service=decision.service,
        rationale=decision.rationale,
        # two paragraphs: the claims administrator's citation, then MAXIMUS's
        guideline=f"{decision.ca_guideline}\n\n{decision.maximus_guideline}",
        drug=" , ".join(names),
        drugs_shown=[d.name for d in decision.drugs],
        drug_class=" , ".join(dict.fromkeys(d.drug_class for d in decision.drugs)),
        source=",".join(sources),
        page=",".join(pages),
        guidelines_shown=[[c.source, c.topic, list(c.pages)] for c in decision.guidelines],
        pages_shown={
            name: [list(mark) for mark in marks] for name, marks in decision.pages.items()
        },
        facet_drug=_facet(dict.fromkeys(d.generic for d in decision.drugs)),
        facet_class=_facet(dict.fromkeys(d.drug_class for d in decision.drugs)),
        facet_source=_facet(sources),
        category=category,
        subcategory=subcategory,
        facet_category=_facet([category]),
        facet_subcategory=_facet([subcategory]),
        topic=",".join(topics),
        facet_topic=_facet(topics),
    )
    if decision.outcome:
        doc["outcome"] = decision.outcome
        doc["facet_outcome"] = _facet([decision.outcome])
    return doc


def _service_words(decision: Decision) -> str:
    parts = (decision.service, decision.original_request, decision.authorized_request)
    return "\n".join(dict.fromkeys(p for p in parts if p))


def _facet(values) -> bytes:
    return FACET_SEP.join(values).encode()


def _expand_pages(pages: tuple[str, ...]):
    """Cited pages as searchable terms: a range "75-80" also yields 75, 76, ... 80."""
    for page in pages:
        yield page
        match = _PAGE_RANGE.match(page)
        if match:
            first, last = int(match[1]), int(match[2])
            if 0 < last - first <= _MAX_RANGE:
                yield from (str(n) for n in range(first, last + 1))
