"""Archive → index: walk the archive, parse letters in worker processes, write them into a new
generation of the index, and keep the manifest that lets an update re-read only what changed.

This module joins `ingest` (files → letters) to `engine` (letters → Whoosh), which never import
each other; the manifest's file table and the build report live here.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from imrsearch.engine.store import FIRST_BUILD_WAIT, IndexStore, read_manifest
from imrsearch.engine.writer import NewGeneration
from imrsearch.errors import ImrError
from imrsearch.ingest.archive import Fingerprint, LoadResult, Walk, load_letters, walk_archive
from imrsearch.model import BuildReport, FileError, Letter
from imrsearch.vocab.paths import display_path

Progress = Callable[[int, int, str], None]  # done, total, current path

# Below this many files, starting Whoosh's writer processes costs more than it saves.
_PARALLEL_FROM = 1000


def build(
    archive: Path,
    store: IndexStore,
    progress: Progress | None = None,
    workers: int | None = None,
    follow_symlinks: bool = False,
) -> BuildReport:
    archive = _archive_root(archive)
    with store.write_lock(archive):
        return _build(archive, store, progress, workers, follow_symlinks)


def build_first(
    archive: Path, store: IndexStore, announce: Callable[[], None]
) -> BuildReport | None:
    """The automatic first build of a folder that holds no index. If another process takes the
    folder first, wait for its build to end and leave the folder to it (None): two first
    queries started together both use the one index."""
    archive = _archive_root(archive)
    with store.write_lock(archive, wait=FIRST_BUILD_WAIT) as taken:
        if not taken:
            return None
        announce()
        return _build(archive, store, None, None, False)


def _build(
    archive: Path,
    store: IndexStore,
    progress: Progress | None,
    workers: int | None,
    follow_symlinks: bool,
) -> BuildReport:
    started = time.perf_counter()
    walk = walk_archive(archive, follow_symlinks=follow_symlinks)
    report = _report(store, archive, "build", walk)
    parallel = (workers or os.cpu_count() or 1) > 1 and len(walk.files) >= _PARALLEL_FROM
    with NewGeneration(store, update=False, parallel=parallel) as generation:
        results = load_letters(walk.files, workers)
        files = _index(generation, results, len(walk.files), {}, report, progress)
        return _publish(generation, archive, files, report, started, None, follow_symlinks)


def update(
    archive: Path | None,
    store: IndexStore,
    progress: Progress | None = None,
    workers: int | None = None,
    follow_symlinks: bool | None = None,
) -> BuildReport:
    """Re-read new and changed files, drop the letters of files that are gone. Symlinks are
    treated as the build treated them unless `follow_symlinks` says otherwise: an update must
    not silently drop the letters a build reached through links."""
    started = time.perf_counter()
    with store.write_lock(Path(archive) if archive else None):
        # Every checksum, before the live files are linked into the new generation: a damaged
        # segment must not be published again under a fresh name.
        manifest = read_manifest(store.require_live(full=True))
        archive = _archive_root(Path(archive) if archive else Path(manifest["archive"]))
        store.check_location(archive)
        if follow_symlinks is None:
            follow_symlinks = bool(manifest.get("follow_symlinks", False))
        walk = walk_archive(archive, follow_symlinks=follow_symlinks)
        known: dict[str, dict[str, Any]] = manifest["files"]
        report = _report(store, archive, "update", walk)
        present = {display_path(p): p for p in walk.files}
        to_read = [p for key, p in present.items() if _changed(p, known.get(key))]
        reread = {display_path(p) for p in to_read}
        stale = [path for path in known if path not in present or path in reread]
        kept = {k: v for k, v in known.items() if k in present and k not in reread}
        report.removed = sum(1 for path in known if path not in present)
        report.unchanged = len(kept)
        report.failures.extend(
            FileError(k, v["failure"]) for k, v in kept.items() if v.get("failure")
        )
        report.text_only.extend(
            FileError(k, v["text_only"]) for k, v in kept.items() if v.get("text_only")
        )
        with NewGeneration(store, update=True) as generation:
            generation.delete(stale)
            results = load_letters(to_read, workers)
            files = _index(generation, results, len(to_read), kept, report, progress)
            return _publish(
                generation, archive, files, report, started, manifest["built_at"], follow_symlinks
            )


def _report(store: IndexStore, archive: Path, mode: str, walk: Walk) -> BuildReport:
    report = BuildReport(index=str(store.root), archive=str(archive), mode=mode)
    report.skipped = walk.skipped
    report.failures.extend(FileError(f.path, f.reason) for f in walk.failures)
    return report


def _archive_root(archive: Path) -> Path:
    if not archive.is_dir():
        raise ImrError(
            f"archive folder not found: {archive}",
            hint="give the folder that holds the letters (.txt and .pdf, nested folders are fine)",
        )
    return archive.resolve()


def _changed(path: Path, entry: dict[str, Any] | None) -> bool:
    """New or changed since the manifest entry; a file only touched keeps its entry (mtime
    refreshed) so the next update does not hash it again."""
    if entry is None:
        return True
    try:
        st = path.stat()
    except OSError:
        return True
    if st.st_size == entry["size"] and st.st_mtime_ns == entry["mtime_ns"]:
        return False
    if st.st_size != entry["size"] or not entry.get("sha1"):
        return True
    try:
        if hashlib.sha1(path.read_bytes()).hexdigest() != entry["sha1"]:
            return True
    except OSError:
        return True
    entry["mtime_ns"] = st.st_mtime_ns
    return False


def _index(
    generation: NewGeneration,
    results: Iterable[LoadResult],
    total: int,
    files: dict[str, dict[str, Any]],
    report: BuildReport,
    progress: Progress | None,
) -> dict[str, dict[str, Any]]:
    """Add every loaded letter to the new generation; returns the manifest's file table."""
    for done, (path, loaded, print_) in enumerate(results, start=1):
        key = display_path(path)
        entry = _entry(key, print_)
        if isinstance(loaded, Letter):
            generation.add(loaded)
            entry.update(
                format=loaded.format,
                decisions=len(loaded.decisions),
                outcomes=dict(Counter(d.outcome or "unknown" for d in loaded.decisions)),
                warnings=len(loaded.warnings),
            )
            report.added += 1
            if not loaded.decisions:
                entry["text_only"] = "; ".join(loaded.warnings) or "no disputed items found"
                report.text_only.append(FileError(key, entry["text_only"]))
        else:
            entry["failure"] = loaded.reason
            report.failures.append(FileError(key, loaded.reason))
        files[key] = entry
        if progress:
            progress(done, total, key)
    return files


def _entry(path: str, print_: Fingerprint | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path}
    if print_ is not None:
        entry.update(size=print_.size, mtime_ns=print_.mtime_ns, sha1=print_.sha1)
    else:
        entry.update(size=-1, mtime_ns=-1, sha1="")
    return entry


def _publish(
    generation: NewGeneration,
    archive: Path,
    files: dict[str, dict[str, Any]],
    report: BuildReport,
    started: float,
    built_at: str | None,
    follow_symlinks: bool,
) -> BuildReport:
    formats: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for entry in files.values():
        if "format" in entry:
            report.letters += 1
            report.decisions += entry["decisions"]
            formats[entry["format"]] += 1
            outcomes.update(entry["outcomes"])
            report.warnings += bool(entry["warnings"])
    report.formats = dict(formats)
    report.outcomes = dict(outcomes)
    report.seconds = time.perf_counter() - started
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    generation.publish(
        {
            "archive": str(archive),
            "follow_symlinks": follow_symlinks,
            "built_at": built_at or now,
            "updated_at": now,
            "files": files,
            "report": asdict(report),
        }
    )
    report.size_bytes = generation.store.size_bytes()
    return report
