"""A field's lengths read once per segment, for scoring.

BM25 weighs each match by the length of the field it matched in, and Whoosh reads that length
from a column of one byte per document through four calls (the reader's cache, the column's
window, the file's slice, `struct`): about a tenth of a scored phrase search at 100,000
letters. Here a segment reads a field's whole column the first time it scores that field (one
byte per document: 3.7 MB per field at two million letters) and looks lengths up in it.
The answers are Whoosh's, byte for byte, including its None for a document without the field.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

_UNREAD = object()


def _doc_field_length(self: Any, docnum: int, fieldname: str, default: Any = 0) -> Any:
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    lengths = column_of(self, fieldname)
    if lengths is None:
        return default
    lbyte = lengths[docnum] if docnum < len(lengths) else 0
    if lbyte:
        return byte_to_length(lbyte)
    return None  # as Whoosh: a document without the field has no length, not the default


def column_of(perdoc: Any, fieldname: str) -> bytes | None:
    """A segment's length bytes of `fieldname`, one per document up to its last stored one
    (None: the field keeps no lengths). `perdoc` is the segment reader's per-document reader."""
    read = perdoc.__dict__.setdefault("_whole_lengths", {})
    lengths = read.get(fieldname, _UNREAD)
    if lengths is _UNREAD:
        column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        lengths = read[fieldname] = None if column is None else _column_bytes(column)
    return lengths


def _column_bytes(column: Any) -> bytes:
    """The column's bytes, one per document up to its last stored one (later ones are 0)."""
    return bytes(column._dbfile.get(column._basepos, column._count))


whoosh_doc_field_length = whoosh3.W3PerDocReader.doc_field_length  # kept for the tests
whoosh3.W3PerDocReader.doc_field_length = _doc_field_length
