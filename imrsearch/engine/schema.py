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

from whoosh import analysis, columns, fields

from imrsearch.engine.registry import FACETS

# 3: letters indexed by file name; Σ tokenised word by word. 4: letters without decisions are
# hits; the letter-level values a hit shows are stored on each decision.
SCHEMA_VERSION = 4


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


# Every word is kept: "not" and "no" are what this field turns on ("not medically necessary",
# "no provision to modify"), so no stop list; no stemming either, so quoted language matches
# as written (wildcards and fuzzy terms widen on request).
WORDS = LowercaseWords()
# Class names are few and read as categories: "opioids" should find "opioid".
CATEGORY_WORDS = analysis.StemmingAnalyzer(stoplist=None)

KIND_DECISION = "decision"
KIND_LETTER = "letter"
HIT = "yes"  # `hit` of what a search returns: decisions, and letters that have none

# Facet columns hold one or several values joined by this separator.
FACET_SEP = "\x1f"
FACET_FIELDS = FACETS  # one column per facet of the registry


def build_schema() -> fields.Schema:
    def facet_column() -> fields.COLUMN:
        return fields.COLUMN(columns.RefBytesColumn())

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
        service=fields.TEXT(analyzer=WORDS, stored=True, phrase=True),
        rationale=fields.TEXT(analyzer=WORDS, stored=True, phrase=True),
        guideline=fields.TEXT(analyzer=WORDS, phrase=True),
        summary=fields.TEXT(analyzer=WORDS, phrase=True),
        outcome=fields.KEYWORD(stored=True, lowercase=True),
        drug=fields.TEXT(analyzer=WORDS, phrase=True),
        drugs_shown=fields.STORED(),
        drug_class=fields.TEXT(analyzer=CATEGORY_WORDS, phrase=True),
        source=fields.KEYWORD(lowercase=True, commas=True, stored=True),
        page=fields.KEYWORD(commas=True),
        guidelines_shown=fields.STORED(),  # [[source, topic, [pages]], ...]
        # the whole text, on the document of a letter with no decision only
        text=fields.TEXT(analyzer=WORDS, phrase=True),
        # letter fields repeated on each decision for filtering
        specialty=fields.TEXT(analyzer=WORDS, phrase=True, stored=True),
        state=fields.TEXT(analyzer=WORDS, phrase=True),
        reviewer_shown=fields.STORED(),  # [[specialties], [states]] as the letter lists them
        age=fields.NUMERIC(int, stored=True),
        sex=fields.KEYWORD(lowercase=True, stored=True),
        injured=fields.DATETIME(stored=True),
        decided=fields.DATETIME(stored=True),
        decided_key=fields.COLUMN(columns.NumericColumn("i")),  # YYYYMMDD, 0 if undated
        assigned=fields.DATETIME(),
        year=fields.NUMERIC(int),
        # the letter record, stored once on the letter document (zlib-compressed JSON)
        record=fields.STORED(),
        **{f"facet_{name}": facet_column() for name in FACET_FIELDS},
    )
