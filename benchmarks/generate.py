"""Synthetic IMR archive for benchmarks: the parts of real letters recombined at any scale.

    python benchmarks/generate.py OUT_DIR --letters N --seed S

Harvests case summaries, reviewer credentials and item blocks (item, guidelines, rationale) by
parsing the real letters, then writes N Format D letters under new case numbers and dates as
OUT_DIR/letters/YYYY/MM/<case>.txt, with the artifacts of PDF text (blank line after every line,
trailing spaces, form feeds at page breaks, glued lines, redaction gaps, wrapped phrases). Beside
them, OUT_DIR/truth.jsonl holds one line per letter (same order) with what the index should
find, so benchmarks check answers, not just speed. The same seed gives the same archive.

Every letter is distinct: a letter without a header (no case number, no date) drawn from the
same case with the same items and age as an earlier one would be that letter again, in other
line breaks or with its reviewer's credentials worded the other way, which imrsearch indexes
once as a copy (as it does a PDF and its text: same case number, same parsed content), so such
a draw is made again (`_redraw`). Each truth line carries `identity`, a digest of what the
parser reads (case number, dates, patient, reviewer, summary, items), spacing and case aside.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = (REPO / "samples", REPO / "tests" / "data" / "corpus")
FALLBACK_SOURCES = (REPO / "samples",)

# The phrases whose presence the truth file records per item: the benchmark's phrase set.
PHRASES = (
    "no provision to modify",
    "not medically necessary",
    "functional improvement",
    "peer reviewed literature",
    "urine drug screen",
    "is medically necessary",
    "home exercise",
)
# Injected into rationales at known rates: (phrase, drug classes or None for any item, rate,
# sentences that carry it). Half the injections break a line inside the phrase.
INJECTIONS = (
    (
        "no provision to modify",
        frozenset({"opioid", "benzodiazepine"}),
        0.10,
        (
            "Although weaning is advised, there is no provision to modify the request to allow"
            " tapering.",
            "There is no provision to modify the quantity requested to allow for a taper.",
            "As there is no provision to modify this request, it cannot be partially certified.",
        ),
    ),
    (
        "peer reviewed literature",
        None,
        0.05,
        (
            "The peer reviewed literature does not support this request at this time.",
            "Current peer reviewed literature was also considered in this review.",
        ),
    ),
)

HOW = "HOW THE IMR FINAL DETERMINATION WAS MADE"
SUMMARY = "CLINICAL CASE SUMMARY"
ISSUES = "IMR ISSUES, DECISIONS AND RATIONALES"
_AFFILIATION = (
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no "
    "affiliation with the employer, employee, providers or the claims administrator."
)
_PRACTICE = (
    "He/she has been in active clinical practice for more than five years and is currently "
    "working at least 24 hours a week in active practice. The expert reviewer was selected based "
    "on his/her clinical experience, education, background, and expertise in the same or similar "
    "specialties that evaluate and/or treat the medical condition and disputed items/Service. "
    "He/she is familiar with governing laws and regulations, including the strength of evidence "
    "hierarchy that applies to Independent Medical Review determinations."
)
_SUMMARY_LEAD = (
    "The expert reviewer developed the following clinical case summary based on a review of the "
    "case file, including all medical records:"
)
_ISSUES_LEAD = (
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:"
)
# Items per letter (about 1.8 on average, as in the real archive) and how much likelier an item
# naming a drug is to be picked (pharmaceuticals are a third to a half of all decisions).
_ITEM_COUNTS = ((1, 0.62), (2, 0.19), (3, 0.08), (4, 0.04), (5, 0.03), (6, 0.02), (8, 0.015))
_ITEM_COUNTS_TAIL = (10, 13, 21)
_DRUG_WEIGHT = 3.5
_FIRST_DAY, _LAST_DAY = date(2014, 1, 1), date(2017, 12, 31)
_UNDATED_REFERENCE = date(2015, 6, 15)  # seeds carry no decision date: shift from here

_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer: what a phrase matches
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([-/])(\d{1,2})\2(\d{4}|\d{2})\b")
_AGE = re.compile(r"\b(\d{1,3})(\s*-?\s*(?:year|yr)s?\s*-?\s*old)", re.IGNORECASE)
_OUTCOME_WORD = re.compile(r":\s*(Upheld|Overturned)[ ]*[\n\f]")


@dataclass(frozen=True)
class Item:
    service: str
    outcome: str
    ca: str
    maximus: str
    rationale: str
    drugs: tuple[dict[str, str], ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    summary: str
    decided: date
    has_age: bool
    sex: str | None
    states: tuple[str, ...]
    specialties: tuple[str, ...]


@dataclass(frozen=True)
class Parts:
    cases: tuple[Case, ...]
    items: tuple[Item, ...]
    item_weights: tuple[float, ...]


def harvest(sources: list[Path]) -> Parts:
    """Parse every real letter under `sources` and keep the parts a new letter is made of."""
    from imrsearch.ingest.archive import load_letter, walk_archive

    cases: list[Case] = []
    items: list[Item] = []
    for source in sources:
        for path in walk_archive(source).files:
            letter, _ = load_letter(path)
            if letter.summary and letter.reviewer.specialties:
                cases.append(
                    Case(
                        summary=letter.summary,
                        decided=letter.decision_date or _UNDATED_REFERENCE,
                        has_age=letter.patient.age is not None,
                        sex=letter.patient.sex,
                        states=tuple(letter.reviewer.states),
                        specialties=tuple(letter.reviewer.specialties),
                    )
                )
            for d in letter.decisions:
                if d.outcome and d.rationale and d.ca_guideline and d.maximus_guideline:
                    drugs = tuple(
                        {"name": x.name, "generic": x.generic, "class": x.drug_class}
                        for x in d.drugs
                    )
                    sources_ = tuple(dict.fromkeys(c.source for c in d.guidelines))
                    items.append(
                        Item(
                            d.service,
                            d.outcome,
                            d.ca_guideline,
                            d.maximus_guideline,
                            d.rationale,
                            drugs,
                            sources_,
                        )
                    )
    if not cases or not items:
        raise SystemExit(f"no letters to harvest under {', '.join(map(str, sources))}")
    weights = tuple(_DRUG_WEIGHT if item.drugs else 1.0 for item in items)
    return Parts(tuple(cases), tuple(items), weights)


def default_sources() -> list[Path]:
    found = [p for p in DEFAULT_SOURCES if p.is_dir()]
    return found or [p for p in FALLBACK_SOURCES if p.is_dir()]


# --- text helpers -------------------------------------------------------------------------


def phrase_set(text: str) -> set[str]:
    """The benchmark phrases `text` contains as consecutive words (as a phrase query sees it)."""
    words = " " + " ".join(_TOKEN.findall(text.lower())) + " "
    return {p for p in PHRASES if f" {p} " in words}


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap; a "\\n" in `text` forces a break there."""
    lines: list[str] = []
    for segment in text.split("\n"):
        current: list[str] = []
        size = 0
        for word in segment.split(" "):
            if current and size + len(word) > width:
                lines.append(" ".join(current))
                current, size = [], 0
            current.append(word)
            size += len(word) + 1
        lines.append(" ".join(current))
    return lines


def shift_dates(text: str, delta: timedelta) -> str:
    """Move every numeric date (10-13-16, 06/16/2010) by `delta`, keeping its style."""

    def move(match: re.Match[str]) -> str:
        month, sep, day, year = match.groups()
        full = int(year) + (0 if len(year) == 4 else 2000 if int(year) <= 40 else 1900)
        try:
            moved = date(full, int(month), int(day)) + delta
        except ValueError:
            return match.group()
        y = f"{moved.year % 100:02d}" if len(year) == 2 else str(moved.year)
        m = f"{moved.month:02d}" if len(month) == 2 else str(moved.month)
        d = f"{moved.day:02d}" if len(day) == 2 else str(moved.day)
        return f"{m}{sep}{d}{sep}{y}"

    return _NUMERIC_DATE.sub(move, text)


def _inject(rng: random.Random, rationale: str, sentence: str, phrase: str) -> str:
    """Put `sentence` before the rationale's closing sentence; maybe force a break in `phrase`."""
    if rng.random() < 0.5:
        words = phrase.split(" ")
        cut = rng.randrange(1, len(words))
        sentence = sentence.replace(phrase, " ".join(words[:cut]) + "\n" + " ".join(words[cut:]), 1)
    cut = rationale.rfind(". ")
    if cut < 0:
        return f"{sentence} {rationale}"
    return f"{rationale[: cut + 1]} {sentence}{rationale[cut + 1 :]}"


def _glue_sentence(rng: random.Random, text: str) -> str:
    """A lost line break between two sentences: "necessary. Therefore" → "necessary.Therefore"."""
    spots = [m.start() + 1 for m in re.finditer(r"\. (?=[A-Z])", text)]
    if not spots:
        return text
    at = rng.choice(spots)
    return text[:at] + text[at + 1 :]


def _redact(rng: random.Random, text: str) -> str:
    """A silent redaction gap: one space doubled."""
    spaces = [m.start() for m in re.finditer(" ", text[:400])]
    if not spaces:
        return text
    at = rng.choice(spaces)
    return text[:at] + " " + text[at:]


# --- one letter ---------------------------------------------------------------------------


class _Page:
    """Lines of one letter, rendered in the style of one PDF text extractor."""

    def __init__(self, rng: random.Random, width: int) -> None:
        self.rng = rng
        self.width = width
        self.lines: list[tuple[str, bool]] = []  # (text, ends a paragraph)

    def heading(self, text: str) -> None:
        self.lines.append((text, True))

    def paragraph(self, text: str) -> None:
        wrapped = wrap(text, self.width)
        self.lines.extend((line, i == len(wrapped) - 1) for i, line in enumerate(wrapped))

    def glue_to_last(self, text: str) -> None:
        """Append `text` to the previous line with no break (a glued line)."""
        last, _ = self.lines[-1]
        first, *rest = wrap(text, self.width)
        self.lines[-1] = (last + first, not rest)
        self.lines.extend((line, i == len(rest) - 1) for i, line in enumerate(rest))

    def render(self, style: str) -> str:
        rng = self.rng
        out: list[str] = []
        page_left = rng.randint(40, 52)
        for text, para_end in self.lines:
            page_left -= 1
            if style == "seeds":
                lead = " " if para_end and text.isupper() else ""
                out.append(f"{lead}{text} \n\n")
                if page_left <= 0:
                    out.append(" \n \n\n" if rng.random() < 0.7 else "\f\n")
                    page_left = rng.randint(40, 52)
            else:
                trail = " " if not para_end or rng.random() < 0.3 else ""
                end = "\f" if page_left <= 0 else "\n"
                if page_left <= 0:
                    page_left = rng.randint(40, 52)
                out.append(f"{text}{trail}{end}")
        return "".join(out)


def _header(rng: random.Random, case: str, dates: dict[str, date], layout: str) -> list[str]:
    """The page-1 table as pdfium/pypdf (label beside value) or pdfminer (columns) print it."""

    def us(name: str) -> str:
        return dates[name].strftime("%m/%d/%Y")

    priority = "Expedited" if rng.random() < 0.03 else "Standard"
    if layout == "pdfminer":
        return [
            "Case Number: ",
            "Date Assigned: ",
            "Decision Date: ",
            "Priority:  ",
            "",
            f"{case} ",
            f"{us('assigned')} ",
            f"{us('decided')} ",
            f"{priority} ",
            "",
            f"{us('injured')} ",
            "Date of Injury:  ",
            f"UR Denial Date:   {us('ur_denial')} ",
            f"{us('received')} ",
            "Application ",
            "Received:  ",
            "",
        ]
    gap = "  " if rng.random() < 0.5 else " "  # pypdf doubles the space before a value
    return [
        f"Case Number: {case}{gap}",
        f"Date Assigned: {us('assigned')} Date of Injury:{gap}{us('injured')}",
        f"Decision Date: {us('decided')} UR Denial Date:{gap}{us('ur_denial')}",
        f"Priority:{gap}{priority} Application ",
        "Received: ",
        us("received"),
    ]


def _pick_count(rng: random.Random) -> int:
    roll = rng.random()
    for count, share in _ITEM_COUNTS:
        roll -= share
        if roll < 0:
            return count
    return rng.choice(_ITEM_COUNTS_TAIL)


def _credentials(rng: random.Random, case: Case) -> tuple[str, list[str]]:
    """The HOW paragraph with the reviewer as a sentence (older letters: one state, and one
    word, as a state name wrapped across lines is not read yet) or as a block."""
    if len(case.states) == 1 and " " not in case.states[0] and rng.random() < 0.15:
        sentence = (
            f"The expert reviewer is Board Certified in {', '.join(case.specialties)}, and is "
            f"licensed to practice in {case.states[0]}."
        )
        return f"{_AFFILIATION} {sentence} {_PRACTICE}", []
    block = [
        "The Expert Reviewer has the following credentials:",
        f"State(s) of Licensure: {','.join(case.states) or 'California'}",
        f"Certification(s)/Specialty: {', '.join(case.specialties)}",
    ]
    return f"{_AFFILIATION} {_PRACTICE}", block


def make_letter(
    parts: Parts, seed: int, index: int, draw: int = 0
) -> tuple[str, str, dict[str, Any]]:
    """Letter number `index` of the archive for `seed`: (relative path, text, truth record);
    `draw` > 0 draws it again."""
    rng = random.Random(f"{seed}:{index}:{draw}" if draw else f"{seed}:{index}")
    case = rng.choice(parts.cases)
    decided = _FIRST_DAY + timedelta(days=rng.randrange((_LAST_DAY - _FIRST_DAY).days + 1))
    assigned = decided - timedelta(days=rng.randint(10, 35))
    ur_denial = assigned - timedelta(days=rng.randint(3, 20))
    dates = {
        "decided": decided,
        "assigned": assigned,
        "ur_denial": ur_denial,
        "received": ur_denial + timedelta(days=rng.randint(0, 7)),
        "injured": ur_denial - timedelta(days=rng.randint(60, 9000)),
    }
    number = f"CM{assigned.year % 100:02d}-{(seed * 7919 + index) % 9_000_000 + 1_000_000:07d}"
    delta = decided - case.decided
    header = rng.random() < 0.85
    if header:
        style = "pdfium" if rng.random() < 0.8 else "seeds"
        layout = "pdfminer" if rng.random() < 0.3 else "pdfium"
    else:
        style = "seeds" if rng.random() < 0.7 else "pdfium"
        layout = "none"

    summary = shift_dates(case.summary, delta)
    age = None
    match = _AGE.search(summary) if case.has_age else None
    if match:  # the phrase the parser reads the age from, with a new age
        age = rng.randint(19, 76)
        summary = f"{summary[: match.start(1)]}{age}{summary[match.end(1) :]}"
    if rng.random() < 0.2:
        summary = _redact(rng, summary)
    if rng.random() < 0.05:
        summary = _glue_sentence(rng, summary)

    page = _Page(rng, rng.randint(88, 100))
    if header:
        for line in _header(rng, number, dates, layout):
            page.heading(line)
    page.heading(HOW)
    how, block = _credentials(rng, case)
    page.paragraph(how)
    for line in block:
        page.heading(line)
    page.heading(SUMMARY)
    page.paragraph(_SUMMARY_LEAD)
    page.paragraph(summary)
    page.heading(ISSUES)
    page.paragraph(_ISSUES_LEAD)
    summary_phrases = phrase_set(summary)

    truth_items = []
    contents: list[str] = []  # what the parser reads of each item
    chosen = rng.choices(parts.items, weights=parts.item_weights, k=_pick_count(rng))
    for item in chosen:
        classes = {d["class"] for d in item.drugs}
        rationale = shift_dates(item.rationale, delta)
        service = shift_dates(item.service, delta)
        forced: list[str] = []
        for phrase, wanted, rate, sentences in INJECTIONS:
            if (wanted is None or classes & wanted) and rng.random() < rate:
                rationale = _inject(rng, rationale, rng.choice(sentences), phrase)
                if "\n" in rationale:
                    forced.append(phrase)
        if rng.random() < 0.05:
            rationale = _glue_sentence(rng, rationale)
        outcome = "Upheld" if item.outcome == "upheld" else "Overturned"
        glued = (
            truth_items
            and rng.random() < 0.03
            and service[:1].isupper()
            and page.lines[-1][0].endswith(".")
        )
        if glued:
            page.glue_to_last(f"{service}: {outcome}")
        elif rng.random() < 0.1:
            page.paragraph(f"{service}:")
            page.heading(outcome)
        else:
            page.paragraph(f"{service}: {outcome}")
        page.paragraph(f"Claims Administrator guideline: {item.ca}")
        page.paragraph(f"MAXIMUS guideline: {item.maximus}")
        page.paragraph(f"Decision rationale: {rationale}")
        contents += [service, item.outcome, item.ca, item.maximus, rationale]
        flat = rationale.replace("\n", " ")
        in_rationale = phrase_set(flat)
        others = phrase_set(service) | phrase_set(f"{item.ca} {item.maximus}")
        truth_items.append(
            {
                "service": service,
                "outcome": item.outcome,
                "drugs": list(item.drugs),
                "sources": list(item.sources),
                "rationale_phrases": sorted(in_rationale),
                "text_phrases": sorted(in_rationale | others | summary_phrases),
                "wrapped_phrases": sorted(set(forced) | _wrapped(rationale, in_rationale)),
            }
        )
    path = f"{decided.year}/{decided.month:02d}/{number}.txt"
    text = page.render(style)
    truth = {
        "path": path,
        "case_number": number if header else None,
        "decision_date": decided.isoformat() if header else None,
        "age": age,
        "sex": case.sex,
        "states": list(case.states),
        "specialties": list(case.specialties),
        "header": layout,
        "style": style,
        "items": truth_items,
    }
    parsed: list[Any] = [number, *dates.values()] if header else []
    parsed += [age, case.sex, *case.states, *case.specialties, summary, *contents]
    truth["identity"] = identity_key(parsed)
    return path, text, truth


def identity_key(parts: list[Any]) -> str:
    """A digest of what makes a letter the letter it is, whatever its spacing and case."""
    folded = "\x00".join(" ".join(str(part).split()).casefold() for part in parts)
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


def _wrapped(rationale: str, present: set[str]) -> set[str]:
    """Phrases of `present` that only occur across a forced break of `rationale`."""
    if "\n" not in rationale:
        return set()
    inline: set[str] = set()
    for segment in rationale.split("\n"):
        inline |= phrase_set(segment)
    return present - inline


def flip_first_outcome(text: str) -> tuple[str, str]:
    """The letter with its first item's outcome reversed, and the new outcome (lower case)."""
    start = text.find(ISSUES)
    match = _OUTCOME_WORD.search(text, max(start, 0))
    if match is None:
        raise ValueError("no item outcome found")
    new = "Overturned" if match.group(1) == "Upheld" else "Upheld"
    return text[: match.start(1)] + new + text[match.end(1) :], new.lower()


# --- the archive --------------------------------------------------------------------------

_PARTS: Parts | None = None  # set in the parent before forking the workers


def _make_chunk(args: tuple[Path, int, int, int]) -> list[dict[str, Any]]:
    """Write letters `first` to `last` - 1; their truth records."""
    letters, seed, first, last = args
    assert _PARTS is not None
    records = []
    for index in range(first, last):
        path, text, truth = make_letter(_PARTS, seed, index)
        _write(letters / path, text)
        records.append(truth)
    return records


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _redraw(letters: Path, seed: int, index: int, old: dict[str, Any], seen: set[str]) -> dict:
    """Letter `index` drawn again until its identity is new, in place of the copy just
    written (its own file under the archive being made)."""
    assert _PARTS is not None
    (letters / old["path"]).unlink()
    draw = 1
    while True:
        path, text, truth = make_letter(_PARTS, seed, index, draw)
        if truth["identity"] not in seen:
            _write(letters / path, text)
            return truth
        draw += 1


def generate(
    out: Path, letters: int, seed: int, sources: list[Path] | None = None, workers: int = 2
) -> dict[str, Any]:
    """Write the archive and its truth file; returns a summary (counts, bytes, seconds)."""
    global _PARTS
    started = time.perf_counter()
    _PARTS = harvest(sources or default_sources())
    folder = out / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    step = 500
    chunks = [(folder, seed, i, min(i + step, letters)) for i in range(0, letters, step)]
    decisions = redrawn = 0
    seen: set[str] = set()
    with contextlib.ExitStack() as stack:
        truth = stack.enter_context(open(out / "truth.jsonl", "w", encoding="utf-8"))
        if workers > 1 and len(chunks) > 1:
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
            made = pool.imap(_make_chunk, chunks)  # in order: the same seed, the same redraws
        else:
            made = map(_make_chunk, chunks)
        for (_, _, first, _), records in zip(chunks, made, strict=True):
            for index, record in enumerate(records, start=first):
                if record["identity"] in seen:
                    record = _redraw(folder, seed, index, record, seen)
                    redrawn += 1
                seen.add(record["identity"])
                decisions += len(record["items"])
                truth.write(json.dumps(record) + "\n")
    summary = {
        "letters": letters,
        "decisions": decisions,
        "redrawn": redrawn,
        "seed": seed,
        "harvested_cases": len(_PARTS.cases),
        "harvested_items": len(_PARTS.items),
        "text_bytes": sum(p.stat().st_size for p in folder.rglob("*.txt")),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / "generator.json").write_text(json.dumps(summary, indent=1))
    return summary


def read_truth(out: Path) -> list[dict[str, Any]]:
    with open(out / "truth.jsonl", encoding="utf-8") as handle:
        letters = [json.loads(line) for line in handle if line.strip()]
    if letters and "identity" not in letters[0]:
        raise SystemExit(f"{out}: its truth has no letter identities; generate it again")
    return letters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output folder (letters/ and truth.jsonl)")
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=min(2, multiprocessing.cpu_count()))
    parser.add_argument(
        "--source", type=Path, action="append", help="folder of real letters to harvest"
    )
    args = parser.parse_args(argv)
    summary = generate(args.out, args.letters, args.seed, args.source, args.workers)
    print(json.dumps(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
