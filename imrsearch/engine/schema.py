"""The Whoosh schema: one document per decision, plus one per letter holding the letter record.

Decision documents carry the letter-level fields they are filtered by, so that `outcome:upheld
drug:valium "no provision to modify"` binds outcome, drug and rationale of the same item.
The letter record (full text and sections, for `show` and the TUI preview) is stored once, in
the letter's own document, not repeated per decision.

A letter with no parsed decision (a layout the parser does not know, or no item found) would
otherwise have nothing a search returns: its own document then carries the letter-level fields
and its whole text (`text`, searched by unfielded words), and is a hit itself (`hit`).
"""

from __future__ import annotations

import re
from collections.abc import Container

from whoosh import analysis, columns, fields

from imrsearch.engine.registry import FACETS
from imrsearch.vocab.common import COMMON_WORDS

# 3: letters indexed by file name; Σ tokenised word by word. 4: sentences and paragraphs in
# the prose fields' positions; drug classes as exact values; a word of several tokens (x-ray,
# 10/325) is a phrase. 5: service words include a partial authorisation's other requests.
# 6: letters without decisions are hits; the letter-level values a hit shows are stored.
# 7: where the letter's pages begin in an item's service and rationale (`pages_shown`).
# 7 also: research facets: service category and subcategory, decision month, age band,
# guideline topic, licensure state.
# 7 also: each prose field has a field of the word pairs where a common word takes part.
# 7 also: the manifest is an SQLite file read row by row (manifest.sqlite, not manifest.json).
# 8: `order`, the column that orders equal scores and dates (`ties`); an index may be sharded.
# 9: triples of common words in the pairs fields; pairs and triples of the short text fields.
SCHEMA_VERSION = 9

# A prose word's position is `word + SENTENCE_STEP * sentence ends + PARAGRAPH_STEP * paragraph
# breaks` before it (see `engine.proximity`). A letter is at most 16 MiB of text, so at most 2**23
# words (and fewer sentence ends): no field reaches either step, and positions read back exactly.
SENTENCE_STEP = 1 << 24
PARAGRAPH_STEP = 1 << 48


class LowercaseWords(analysis.RegexTokenizer):
    """Words, lower-cased in the same pass: a separate filter stage costs a generator hop per
    token, and tokenizing is most of what indexing spends its time on."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        lowered = value.lower()
        # A letter whose lower case is longer shifts offsets, and Σ lowers by context (ς at a
        # word's end, σ alone): either way the string at once differs from word by word.
        if len(lowered) != len(value) or "\u03a3" in value:
            stream = super().__call__(
                value,
                positions,
                chars,
                keeporiginal,
                removestops,
                start_pos,
                start_char,
                tokenize,
                mode,
                **kwargs,
            )
            yield from analysis.LowercaseFilter()(stream)
            return
        token = analysis.Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        if not tokenize:
            token.original = token.text = lowered
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        pos = start_pos
        for match in self.expression.finditer(lowered):
            token.text = match.group(0)
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


# Between two words: a blank line is a paragraph break; a sentence ends at . ? or ! (closing
# quotes and brackets allowed around it) followed by a blank and a capital letter. A line break
# alone is not a break: letters wrap lines mid-sentence.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
_SENTENCE_END = re.compile(r"[\"')\]]*[.?!][.?!\"')\]]*\s+[\"'(\[]*")
# A period after these does not end a sentence ("Dr. Smith", "vs. Tramadol"), nor after a lone
# letter (an initial) or a dotted abbreviation (e.g., U.S., p.o.).
_ABBREVIATIONS = frozenset(
    {"dr", "drs", "mr", "mrs", "ms", "prof", "st", "vs", "no", "nos", "fig", "vol", "pg", "pp"}
    | {"jr", "sr", "inc", "ltd", "co", "corp", "dept", "approx", "al"}
)
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")


def break_between(text: str, start: int, end: int, previous: str) -> int:
    """What separates the word ending at `start` (`previous`, lower case) from the word at `end`
    of `text`: 0 nothing, 1 a sentence end, 2 a paragraph break. Errs toward 0: a missed end
    only widens `/s`, a false one would split a phrase."""
    gap = text[start:end]
    if "\n" in gap and _PARAGRAPH_BREAK.search(gap):
        return 2
    if not _SENTENCE_END.fullmatch(gap) or not text[end].isupper():
        return 0
    if gap.lstrip("\"')]")[0] == "." and (
        previous in _ABBREVIATIONS
        or (len(previous) == 1 and previous.isalpha())
        or _DOTTED.fullmatch(previous)
    ):
        return 0
    return 1


class ProseWords(LowercaseWords):
    """`LowercaseWords` (same words, same offsets), with each sentence and paragraph in its own
    range of positions, so connectors can tell them apart. Only positions differ, and only when
    the text has breaks."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        tokens = super().__call__(
            value,
            positions,
            True,  # offsets, to read the text between words
            keeporiginal,
            removestops,
            start_pos,
            start_char,
            tokenize,
            mode,
            **kwargs,
        )
        if not (positions and tokenize):
            yield from tokens
            return
        shift = 0
        previous_end: int | None = None
        previous = ""
        for token in tokens:
            start = token.startchar - start_char
            if previous_end is not None and value[previous_end:start] != " ":
                found = break_between(value, previous_end, start, previous)
                shift += (0, SENTENCE_STEP, PARAGRAPH_STEP)[found]
            if token.pos - start_pos >= SENTENCE_STEP:
                raise ValueError(f"a field of more than {SENTENCE_STEP:,} words cannot be indexed")
            previous_end, previous = token.endchar - start_char, token.text
            token.pos += shift
            yield token


class CommonPairs(ProseWords):
    """Lucene's common grams: each two adjacent words of one sentence of which one is in
    `common`, as one token "a b" at the first word's place, and each three of which all are,
    as "a b c". A phrase of frequent words then reads a few short lists of pairs and triples
    instead of every place of its words (`engine.pairs`); "not medically necessary" is one.

    The list is part of the analyzer, so an index keeps the one it was built with and a query
    reads that one from the index's schema."""

    def __init__(self, common: Container[str]) -> None:
        super().__init__()
        self.common = common

    def __call__(self, value, positions=False, chars=False, *args, **kwargs):
        yield from _grams(super().__call__(value, True, chars, *args, **kwargs), self.common)


class EveryWord:
    """The common words of a short field's pairs: all of them."""

    def __contains__(self, word: object) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EveryWord)

    def __hash__(self) -> int:
        return hash(EveryWord)


class WordPairs(LowercaseWords):
    """Every pair and triple of adjacent words of a short field (a reviewer's specialties, an
    item's drug names), with the field's own places (`LowercaseWords`): a phrase there reads
    one list instead of checking places in most decisions (`specialty:"family practice"`)."""

    common = EveryWord()

    def __call__(self, value, positions=False, chars=False, *args, **kwargs):
        yield from _grams(super().__call__(value, True, chars, *args, **kwargs), self.common)


def _grams(tokens, common: Container[str]):
    """Pairs and triples of adjacent words (see `CommonPairs`), each at its first word's place.
    One token object is reused, as Whoosh's tokenizers do."""
    before, before_pos = None, -3  # two words back
    previous, previous_pos = None, -2
    for token in tokens:
        text, pos = token.text, token.pos
        if pos == previous_pos + 1:
            if text in common or previous in common:
                token.text, token.pos = f"{previous} {text}", previous_pos
                yield token
            both_before = before_pos + 1 == previous_pos and before in common
            if both_before and previous in common and text in common:
                token.text, token.pos = f"{before} {previous} {text}", before_pos
                yield token
        before, before_pos = previous, previous_pos
        previous, previous_pos = text, pos


def pairs_field(name: str) -> str:
    """The field that holds the pairs (and triples) of text field `name`."""
    return f"{name}_pairs"


# Every word is kept: "not" and "no" are what this field turns on ("not medically necessary",
# "no provision to modify"), so no stop list; no stemming either, so quoted language matches
# as written (wildcards and fuzzy terms widen on request, and the query parser adds a word's
# singular or plural).
WORDS = LowercaseWords()
PROSE = ProseWords()
PAIRS = CommonPairs(COMMON_WORDS)
PROSE_FIELDS = ("service", "rationale", "guideline", "summary", "text")
SHORT_FIELDS = ("drug", "specialty", "state")  # WORDS fields with a field of all their pairs
PAIRED_FIELDS = PROSE_FIELDS + SHORT_FIELDS

KIND_DECISION = "decision"
KIND_LETTER = "letter"
HIT = "yes"  # `hit` of what a search returns: decisions, and letters that have none

# Facet columns hold one or several values joined by this separator.
FACET_SEP = "\x1f"
FACET_FIELDS = FACETS  # one column per facet of the registry


def build_schema() -> fields.Schema:
    def facet_column() -> fields.COLUMN:
        return fields.COLUMN(columns.RefBytesColumn())

    def prose(stored: bool = False) -> fields.TEXT:
        return fields.TEXT(analyzer=PROSE, phrase=True, stored=stored, multitoken_query="phrase")

    def words(stored: bool = False) -> fields.TEXT:
        return fields.TEXT(analyzer=WORDS, phrase=True, stored=stored, multitoken_query="phrase")

    return fields.Schema(
        kind=fields.ID(stored=True),
        hit=fields.ID(),  # HIT on what a search may return
        whole=fields.ID(),  # HIT on a letter with no decision: counted apart, cheaply
        doc_id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        name=fields.ID(),  # the file's name, on letter documents: `show NAME` finds it
        case=fields.KEYWORD(stored=True, lowercase=True),
        number=fields.NUMERIC(int, stored=True),
        format=fields.KEYWORD(lowercase=True),
        # decision fields
        service=prose(stored=True),
        rationale=prose(stored=True),
        guideline=prose(),
        summary=prose(),
        outcome=fields.KEYWORD(stored=True, lowercase=True),
        drug=words(),
        drugs_shown=fields.STORED(),
        drug_class=fields.KEYWORD(lowercase=True, commas=True),
        source=fields.KEYWORD(lowercase=True, commas=True, stored=True),
        page=fields.KEYWORD(commas=True),
        guidelines_shown=fields.STORED(),  # [[source, topic, [pages]], ...]
        pages_shown=fields.STORED(),  # {"rationale": [[offset, page], ...], "service": ...}
        # the whole text, on the document of a letter with no decision only
        text=prose(),  # the whole text of a letter with no decision
        # letter fields repeated on each decision for filtering
        specialty=words(stored=True),
        state=words(),
        reviewer_shown=fields.STORED(),  # [[specialties], [states]] as the letter lists them
        age=fields.NUMERIC(int, stored=True),
        sex=fields.KEYWORD(lowercase=True, stored=True),
        injured=fields.DATETIME(stored=True),
        decided=fields.DATETIME(stored=True),
        decided_key=fields.COLUMN(columns.NumericColumn("i")),  # YYYYMMDD, 0 if undated
        order=fields.COLUMN(columns.VarBytesColumn()),  # path, item: breaks ties (`ties`)
        assigned=fields.DATETIME(),
        year=fields.NUMERIC(int),
        category=fields.KEYWORD(lowercase=True, commas=True),
        subcategory=fields.KEYWORD(lowercase=True, commas=True),
        month=fields.KEYWORD(lowercase=True),
        ageband=fields.KEYWORD(lowercase=True, commas=True),
        topic=fields.KEYWORD(lowercase=True, commas=True),
        # the letter record, stored once on the letter document (zlib-compressed JSON)
        record=fields.STORED(),
        **{f"facet_{name}": facet_column() for name in FACET_FIELDS},
        # not searched by name: phrases of the prose fields read them (engine.pairs)
        **{pairs_field(name): fields.TEXT(analyzer=PAIRS, phrase=True) for name in PROSE_FIELDS},
        **{pairs_field(n): fields.TEXT(analyzer=WordPairs(), phrase=True) for n in SHORT_FIELDS},
    )
