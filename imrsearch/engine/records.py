"""The letter record stored once per letter: compressed JSON of `Letter.to_dict`.

Kept apart from `documents` so that searching never loads the parser's drug lexicon.
"""

from __future__ import annotations

import json
import zlib

from imrsearch.model import Letter


def encode_record(letter: Letter) -> bytes:
    return zlib.compress(json.dumps(letter.to_dict(include_text=True)).encode(), 6)


def decode_record(blob: bytes) -> Letter:
    return Letter.from_dict(json.loads(zlib.decompress(blob)))
