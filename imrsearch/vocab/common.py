"""The words common enough in IMR letters that the index keeps their pairs with their
neighbours (`engine.schema.CommonPairs`), read from `common_words.txt` beside this module."""

from __future__ import annotations

from importlib.resources import files


def _read() -> frozenset[str]:
    text = files(__package__).joinpath("common_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


COMMON_WORDS = _read()
