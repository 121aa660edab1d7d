"""The small facade the CLI and the TUI call: build, update, search, show, info."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imrsearch.engine.registry import FACETS, FIELDS
from imrsearch.errors import IndexMissing
from imrsearch.model import BuildReport, FileError, Letter, SearchResult

ENV_INDEX = "IMRSEARCH_INDEX"
QUERY_FIELDS = FIELDS  # the query language's fields (model.QueryField), for help and completion
DEFAULT_INDEX = Path("index")


def index_location(index: Path | None) -> Path:
    """--index DIR, else $IMRSEARCH_INDEX, else ./index."""
    if index is not None:
        return Path(index)
    return Path(os.environ.get(ENV_INDEX) or DEFAULT_INDEX)


def samples_dir() -> Path:
    """The bundled sample letters: inside the installed package, or the source tree's samples/."""
    packaged = Path(__file__).parent / "_samples"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "samples"


def _store(index: Path | None):
    from imrsearch.engine.store import IndexStore

    return IndexStore(index_location(index))


def build(archive: Path, index: Path | None = None, progress=None, workers=None) -> BuildReport:
    from imrsearch.engine import writer

    return writer.build(Path(archive), _store(index), progress, workers)


def update(
    archive: Path | None, index: Path | None = None, progress=None, workers=None
) -> BuildReport:
    from imrsearch.engine import writer

    return writer.update(archive, _store(index), progress, workers)


def parse_file(path: Path) -> Letter:
    """One letter file read and parsed, not indexed; `BadFile` says why it holds no letter."""
    from imrsearch.ingest.archive import load_letter

    return load_letter(Path(path))[0]


def ensure_index(index: Path | None, announce: Callable[[str], None]) -> None:
    """The embedded default: with no --index and no $IMRSEARCH_INDEX, a ./index that holds no
    index yet gets one built from the bundled samples, announced. Anywhere else a missing or
    damaged index is an error: a mistyped location must not answer from the samples."""
    store = _store(index)
    default = index is None and not os.environ.get(ENV_INDEX)
    if default and store.pointer() is None:
        from imrsearch.engine import writer

        def starting() -> None:
            announce(f"No index in '{store.root}' yet: building one from the bundled samples.")

        writer.build_first(samples_dir(), store, starting)
    store.require_live()


def open_searcher(index: Path | None = None):
    """A searcher on the live index; its files are checked before Whoosh reads them."""
    from imrsearch.engine.checked import CheckedSearcher

    return CheckedSearcher(_store(index))


def search(query: str, index: Path | None = None, **options: Any) -> SearchResult:
    with open_searcher(index) as searcher:
        return searcher.search(query, **options)


def show(case: str, index: Path | None = None) -> Letter:
    with open_searcher(index) as searcher:
        return searcher.letter(case)


@dataclass
class IndexInfo:
    location: str
    generation: str
    archive: str
    built_at: str
    updated_at: str
    size_bytes: int
    report: dict[str, Any]


def info(index: Path | None = None) -> IndexInfo:
    from imrsearch.engine.store import read_manifest

    store = _store(index)
    live = store.require_live()
    manifest = read_manifest(live)
    return IndexInfo(
        location=str(store.root.resolve()),
        generation=live.name,
        archive=manifest["archive"],
        built_at=manifest["built_at"],
        updated_at=manifest["updated_at"],
        size_bytes=store.size_bytes(),
        report=manifest["report"],
    )


@dataclass
class Verification:
    location: str
    generation: str
    files: int
    bytes: int
    seconds: float
    problems: list[str]  # damage, each naming its file
    unsafe: list[str]  # paths other users can write to


def verify(index: Path | None = None) -> Verification:
    """Every file of the live index against the size and sha256 recorded when it was built."""
    started = time.perf_counter()
    store = _store(index)
    generation, found = store.verify()
    return Verification(
        location=str(store.root.resolve()),
        generation=generation,
        files=found.files,
        bytes=found.bytes,
        seconds=time.perf_counter() - started,
        problems=found.problems,
        unsafe=found.unsafe,
    )


def errors(index: Path | None = None) -> list[FileError]:
    """The per-file error report saved with the live index: files not indexed, then files
    indexed as text only (no disputed item found in them)."""
    report = info(index).report
    failed = [FileError(f["path"], f["reason"]) for f in report.get("failures", [])]
    text_only = [
        FileError(f["path"], f"indexed as text only: {f['reason']}")
        for f in report.get("text_only", [])
    ]
    return failed + text_only


__all__ = [
    "FACETS",
    "QUERY_FIELDS",
    "IndexMissing",
    "build",
    "ensure_index",
    "errors",
    "index_location",
    "info",
    "open_searcher",
    "parse_file",
    "samples_dir",
    "search",
    "show",
    "update",
    "verify",
]
