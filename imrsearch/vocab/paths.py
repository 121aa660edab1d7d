"""File paths as text: a faithful, reversible form for any path an archive can hold.

A POSIX file name is bytes, not text. Python hands each byte that is not UTF-8 over as a lone
surrogate (PEP 383), which Whoosh, JSON and the terminal cannot encode; and a name may hold
control characters (a newline that fakes a line of output, an ESC that starts a terminal
command) or Unicode's bidirectional controls (which reorder what is shown). `display_path`
writes each byte of such a character as `\\xNN` and the backslash, the escape character,
as `\\\\`; every other character is kept, so an ordinary path reads as itself. `fs_path`
undoes it exactly: `fs_path(display_path(p)) == p` for every path the file system gives.

The display form is what the index, the manifest and every report hold; `show` takes it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# Escaped: the escape character, C0 and C1 controls, DEL, bidirectional controls, surrogates.
_ESCAPED = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPE_SEQUENCE = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def display_path(path: str | os.PathLike[str]) -> str:
    """`path` as printable text that encodes as UTF-8 (see the module docstring)."""
    return _ESCAPED.sub(_escape, os.fspath(path))


def fs_path(text: str) -> Path:
    """The path `text` is the display form of. A backslash that starts no escape is kept as
    it is, so a path typed by hand without escapes means itself."""
    raw = bytearray()
    start = 0
    for match in _ESCAPE_SEQUENCE.finditer(text):
        raw += os.fsencode(text[start : match.start()])
        token = match.group(1)
        raw += b"\\" if token == "\\" else bytes([int(token[1:], 16)])
        start = match.end()
    raw += os.fsencode(text[start:])
    return Path(os.fsdecode(bytes(raw)))


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    try:
        raw = os.fsencode(char)  # a surrogate that stands for one undecodable byte
    except UnicodeEncodeError:  # any other surrogate: only a str built by hand holds one
        raw = char.encode("utf-8", "surrogatepass")
    return "".join(f"\\x{byte:02x}" for byte in raw)
