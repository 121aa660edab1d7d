"""Making and looking after an index: build, update, the embedded default, info, verify, the
per-file error report, and reading one letter without indexing it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imrsearch.api.location import ENV_INDEX, samples_dir, store_at
from imrsearch.model import BuildReport, FileError, Letter

Progress = Callable[[int, int, str], None]  # files done, files in all, the current file


def build(
    archive: Path,
    index: Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    follow_symlinks: bool = False,
    shards: str | None = None,
) -> BuildReport:
    """A new index of `archive`; symlinks that lead out of it are skipped and reported unless
    `follow_symlinks`. With `shards="year"`, one index per decision year (updates keep it)."""
    from imrsearch import build as builder

    store = store_at(index)
    return _with_news(
        builder.build(Path(archive), store, progress, workers, follow_symlinks, shards)
    )


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

    store = store_at(index)
    return _with_news(builder.update(archive, store, progress, workers, follow_symlinks))


def _with_news(report: BuildReport) -> BuildReport:
    """The report, with what each saved search matches in the index just published."""
    from imrsearch.engine.news import summary
    from imrsearch.engine.store import IndexStore

    live = IndexStore(Path(report.index)).live()
    report.saved = summary(live) if live is not None else []
    return report


def parse_file(path: Path) -> Letter:
    """One letter file read and parsed, not indexed; `BadFile` says why it holds no letter."""
    from imrsearch.ingest.archive import load_letter

    return load_letter(Path(path))[0]


def ensure_index(index: Path | None, announce: Callable[[str], None]) -> None:
    """The embedded default: with no --index and no $IMRSEARCH_INDEX, a ./index that holds no
    index yet gets one built from the bundled samples, announced. Anywhere else a missing or
    damaged index is an error: a mistyped location must not answer from the samples."""
    store = store_at(index)
    default = index is None and not os.environ.get(ENV_INDEX)
    if default and store.pointer() is None:
        from imrsearch import build as builder

        def starting() -> None:
            announce(f"No index in '{store.root}' yet: building one from the bundled samples.")

        builder.build_first(samples_dir(), store, starting)
    store.require_live()


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

    store = store_at(index)
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
    store = store_at(index)
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
