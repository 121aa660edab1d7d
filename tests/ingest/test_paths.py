"""The display form of a path: printable UTF-8 text for any name the file system can hold,
and an exact way back."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from imrsearch.vocab.paths import display_path, fs_path

# Any file name a POSIX file system accepts: bytes without "/" or NUL, not "." or "..".
names = st.binary(min_size=1, max_size=255).filter(
    lambda raw: b"/" not in raw and b"\x00" not in raw and raw not in (b".", b"..")
)


BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def shows_safely(char: str) -> bool:
    return unicodedata.category(char) not in ("Cc", "Cs") and char not in BIDI_CONTROLS


@settings(max_examples=1000)
@given(st.lists(names, min_size=1, max_size=4))
@example([b"\xff"])
@example([b"back\\slash", b"\\xff"])
@example([b"esc\x1b[31mred\x1b[0m", b"line\nbreak"])
@example([b"\xe2\x80\xaecod.pdf"])  # U+202E turns "cod.pdf" around on screen
def test_the_display_form_is_safe_utf8_and_goes_back_exactly(parts: list[bytes]) -> None:
    path = Path(os.fsdecode(b"/archive/" + b"/".join(parts)))
    text = display_path(path)
    text.encode("utf-8")  # strict: no surrogates left for Whoosh or JSON to choke on
    assert all(shows_safely(char) for char in text)
    assert fs_path(text) == path


@given(st.text(st.characters(exclude_characters="/\\"), min_size=1, max_size=50))
def test_a_name_of_safe_characters_reads_as_itself(name: str) -> None:
    path = f"/archive/{name}"
    assert (display_path(path) == path) == all(shows_safely(char) for char in name)


def test_escapes() -> None:
    assert display_path(Path(os.fsdecode(b"/a/b\xff.txt"))) == "/a/b\\xff.txt"
    assert display_path("/a/x\\y") == "/a/x\\\\y"
    assert display_path("/a/\x1b[2J\n.txt") == "/a/\\x1b[2J\\x0a.txt"
    assert display_path("/a/\x85.txt") == "/a/\\xc2\\x85.txt"  # a C1 control, two bytes


def test_a_backslash_that_starts_no_escape_is_kept() -> None:
    assert fs_path("/a/x\\y\\xz") == Path("/a/x\\y\\xz")
    assert fs_path("/a/\\x41\\\\x41") == Path("/a/A\\x41")
