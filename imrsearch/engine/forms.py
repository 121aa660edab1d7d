"""An unquoted word in the prose fields: the word, its singular and its plural.

A Whoosh query of the same family as `Variations` (an expanding term): it searches the forms
`vocab.plurals.number_forms` names that the index holds, so `opioid` finds "opioids" and the
highlighter, which expands it against the index as it does a wildcard, marks both.
"""

from __future__ import annotations

from whoosh import query

from imrsearch.vocab.plurals import number_forms


class Forms(query.ExpandingTerm):
    def __init__(self, fieldname: str, text: str, boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.text = text
        self.boost = boost

    def __repr__(self) -> str:
        return f"Forms({self.fieldname!r}, {self.text!r}, boost={self.boost})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and (other.fieldname, other.text, other.boost) == (
            self.fieldname,
            self.text,
            self.boost,
        )

    def __hash__(self) -> int:
        return hash((type(self), self.fieldname, self.text, self.boost))

    def _btexts(self, ixreader):
        to_bytes = ixreader.schema[self.fieldname].to_bytes
        for word in sorted(number_forms(self.text)):
            btext = to_bytes(word)
            if (self.fieldname, btext) in ixreader:
                yield btext
