"""Where the index and the bundled samples are, and the engine's store over an index folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imrsearch.engine.store import IndexStore

ENV_INDEX = "IMRSEARCH_INDEX"
DEFAULT_INDEX = Path("index")
_PACKAGE = Path(__file__).parent.parent  # imrsearch/


def index_location(index: Path | None) -> Path:
    """--index DIR, else $IMRSEARCH_INDEX, else ./index."""
    if index is not None:
        return Path(index)
    return Path(os.environ.get(ENV_INDEX) or DEFAULT_INDEX)


def samples_dir() -> Path:
    """The bundled sample letters: inside the installed package, or the source tree's samples/."""
    packaged = _PACKAGE / "_samples"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "samples"


def store_at(index: Path | None) -> IndexStore:
    """The engine's view of the index folder `index` names (see `index_location`)."""
    from imrsearch.engine.store import IndexStore

    return IndexStore(index_location(index))
