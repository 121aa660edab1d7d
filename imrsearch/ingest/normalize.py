"""Undo what PDF extraction and word processors do to letter text, so the parser sees lines.

The letter keeps its original text; only the parser and the index read the normalised form.
"""

from __future__ import annotations

import re

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u00ad": "",
        "\ufeff": "",
        "\x00": "",
        "\f": "\n",
        "\r": "\n",
        "\t": " ",
    }
)
# The characters normalising changes, for a reader that must see the words the parser sees.
CHARACTERS = _TRANSLATE
_TRAILING_SPACE = re.compile(r"[ ]+\n")
_BLANK_LINES = re.compile(r"\n{2,}")
# A break right after a hyphen glued to a word joins the halves: "02-17- / 2015", "re- / exam".
_HYPHEN_BREAK = re.compile(r"(?<=\S-)[ ]*\n[ ]*")
_SPACE_RUN = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Straight quotes, no blank lines or page-break runs, no trailing spaces; lines kept."""
    text = text.replace("\r\n", "\n").translate(_TRANSLATE)
    text = _TRAILING_SPACE.sub("\n", text + "\n")
    return _BLANK_LINES.sub("\n", text).strip("\n ")


def fold(text: str) -> str:
    """One paragraph as a single line: breaks and space runs (redaction gaps) become one space."""
    return _SPACE_RUN.sub(" ", _HYPHEN_BREAK.sub("", text)).strip()
