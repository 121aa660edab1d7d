"""The one gate between letter- or path-derived text and a terminal.

Archives come from outside: a letter or a file name can carry ESC sequences (OSC 52 writes the
clipboard, OSC 0 the window title, CSI clears the screen), C1 controls that some terminals
obey as 8-bit escapes, and bidi overrides that make text read differently from what it is.
rich strips only BEL, BS, VT, FF and CR, and Textual none, so every terminal view passes data
through `for_terminal` first; JSON stays exact (see `render.machine`).
"""

from __future__ import annotations

# Unicode's control pictures (U+2400…) show a C0 control as one visible character.
_C0_PICTURE = 0x2400
_DEL_PICTURE = "\u2421"
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)


def _table(single_line: bool) -> dict[int, str]:
    keep = {"\t"} if single_line else {"\t", "\n"}
    table = {c: chr(_C0_PICTURE + c) for c in range(0x20) if chr(c) not in keep}
    table[0x7F] = _DEL_PICTURE
    table.update({c: f"<U+{c:04X}>" for c in (*range(0x80, 0xA0), *_BIDI)})
    # A file name that is not UTF-8 reaches Python as lone surrogates (surrogateescape):
    # printing one raises, so show the byte it stands for.
    table.update({c: f"\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xDD00)})
    return table


_MULTI_LINE = _table(single_line=False)
_SINGLE_LINE = _table(single_line=True)


def for_terminal(text: str, *, single_line: bool = False) -> str:
    """`text` with every control character a terminal could act on made visible.

    Newline and tab stay (unless `single_line`, for names and table cells, where a newline
    would fake a row); C0 controls become control pictures (ESC → ␛), DEL ␡, C1 controls and
    bidi overrides `<U+009B>`. Linear in the length of `text`.
    """
    return text.translate(_SINGLE_LINE if single_line else _MULTI_LINE)
