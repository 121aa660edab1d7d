"""Derive `imrsearch/vocab/common_words.txt` from real letters.

    python benchmarks/common_words.py LETTERS_DIR > imrsearch/vocab/common_words.txt

LETTERS_DIR is the real letters (`../shared/corpus/dwc-2016-17`). A word is common when it
stands in the text fields (item, rationale, guideline citations) of at least a fifth of the
letters' decisions. Numbers are left out: dates and doses move with the
archive, the language does not. Changing the list changes the index format (bump
`engine.schema.SCHEMA_VERSION`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from imrsearch.engine.schema import WORDS
from imrsearch.ingest.archive import LETTER_SUFFIXES, load_letter

SHARE = 0.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("letters", type=Path)
    args = parser.parse_args()
    found: Counter[str] = Counter()
    decisions = 0
    for path in sorted(args.letters.rglob("*")):
        if path.suffix.lower() not in LETTER_SUFFIXES:
            continue
        for decision in load_letter(path)[0].decisions:
            decisions += 1
            parts = (decision.service, decision.rationale)
            parts += (decision.ca_guideline, decision.maximus_guideline)
            found.update({token.text for part in parts for token in WORDS(part or "")})
    common = sorted(
        word
        for word, count in found.items()
        if count >= SHARE * decisions and not any(c.isdigit() for c in word)
    )
    out = sys.stdout
    out.write(f"# Words in at least {SHARE:.0%} of the decisions of {args.letters.name}")
    out.write(f" ({decisions} decisions).\n# Made by benchmarks/common_words.py; one a line.\n")
    out.writelines(f"{word}\n" for word in common)


if __name__ == "__main__":
    main()
