"""The small facade the CLI and the TUI call: build, update, search, show, info."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imrsearch.engine.registry import FACETS, FIELDS
from imrsearch.errors import IndexMissing
from imrsearch.model import (
    BuildReport,
    FileError,
    Highlight,
    Hit,
    Letter,
    SearchResult,
    SortOrder,
)

Progress = Callable[[int, int, str], None]  # files done, files in all, the current file
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


def build(
    archive: Path,
    index: Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    follow_symlinks: bool = False,
) -> BuildReport:
    """A new index of `archive`; symlinks that lead out of it are skipped and reported unless
    `follow_symlinks`."""
    from imrsearch import build as builder

    return builder.build(Path(archive), _store(index), progress, workers, follow_symlinks)


def update(
    archive: Path | None,
    index: Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    follow_symlinks: bool | None = None,
) -> BuildReport:
    """Re-read new and changed files (of the archive the index was built from, by default;
    symlinks followed or not as that build did, by default)."""
    from imrsearch import build as builder

    return builder.update(archive, _store(index), progress, workers, follow_symlinks)


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
        from imrsearch import build as builder

        def starting() -> None:
            announce(f"No index in '{store.root}' yet: building one from the bundled samples.")

        builder.build_first(samples_dir(), store, starting)
    store.require_live()


class OpenIndex:
    """An open index as the front ends see it: queries in, plain model objects out.

    The engine's searcher stays inside; nothing here hands out a Whoosh object or a query
    tree. Cheap to query many times (the TUI keeps one); a command opens one per run.
    """

    def __init__(self, index: Path | None = None) -> None:
        from imrsearch.engine.checked import CheckedSearcher

        self._searcher = CheckedSearcher(_store(index))

    def search(
        self,
        query: str,
        limit: int | None = 20,
        sort: SortOrder | str = SortOrder.RELEVANCE,
        facets: tuple[str, ...] = (),
        facet_limit: int = 10,
    ) -> SearchResult:
        """The first `limit` hits (every hit with None), the exact total, and facet counts."""
        return self._searcher.search(
            query, limit=limit, sort=_sort_name(sort), facets=facets, facet_limit=facet_limit
        )

    def iter_hits(self, query: str, sort: SortOrder | str = SortOrder.RELEVANCE) -> Iterator[Hit]:
        """Every hit, made one at a time as an export writes it."""
        return self._searcher.iter_hits(query, sort=_sort_name(sort))

    def letter(self, case_or_path: str) -> Letter:
        return self._searcher.letter(case_or_path)

    def highlight(self, query: str) -> Highlight:
        """What `query` looks for in a letter's text, for `imrsearch.highlight` to mark."""
        return self._searcher.highlight(query)

    def refresh(self) -> None:
        """Read the newest published generation from now on."""
        self._searcher.refresh()

    def close(self) -> None:
        self._searcher.close()

    def __enter__(self) -> OpenIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sort_name(sort: SortOrder | str) -> str:
    """The engine checks the name (an unknown one is a QueryError with a hint)."""
    return sort.value if isinstance(sort, SortOrder) else sort


def open_searcher(index: Path | None = None) -> OpenIndex:
    """The live index, opened; its files are checked before Whoosh reads them."""
    return OpenIndex(index)


def search(query: str, index: Path | None = None, **options: Any) -> SearchResult:
    with open_searcher(index) as searcher:
        return searcher.search(query, **options)


def narrow(query: str, field: str, value: str) -> str:
    """`query` also requiring `value` in `field` (a facet value chosen), as text to show and
    search: the user's text with the clause appended, or unchanged if it already requires it.
    `QueryError` for a malformed query or a value the query language cannot express."""
    from imrsearch.engine.narrow import narrow as narrowed

    return narrowed(query, field, value)


def widen(query: str, field: str, value: str) -> str:
    """`query` with its top-level clauses requiring `value` in `field` cut out ("" if nothing
    else is left); unchanged if it does not require the value."""
    from imrsearch.engine.narrow import widen as widened

    return widened(query, field, value)


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
    from imrsearch.engine.manifest import read_meta

    store = _store(index)
    live = store.require_live()
    manifest = read_meta(live)
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
    indexed as text only (no disputed item found in them), then copies of a letter indexed
    from another file ("duplicate of PATH")."""
    report = info(index).report
    failed = [FileError(f["path"], f["reason"]) for f in report.get("failures", [])]
    text_only = [
        FileError(f["path"], f"indexed as text only: {f['reason']}")
        for f in report.get("text_only", [])
    ]
    copies = [FileError(f["path"], f["reason"]) for f in report.get("duplicates", [])]
    return failed + text_only + copies


__all__ = [
    "FACETS",
    "QUERY_FIELDS",
    "IndexMissing",
    "OpenIndex",
    "build",
    "ensure_index",
    "errors",
    "index_location",
    "info",
    "narrow",
    "open_searcher",
    "parse_file",
    "samples_dir",
    "search",
    "show",
    "update",
    "verify",
    "widen",
]
