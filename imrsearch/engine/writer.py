"""Build and update the index from an archive, crash-safe (see `store` for the disk layout).

Letters are parsed in worker processes (`ingest.archive.load_letters`); this process writes
Whoosh documents. A full build writes a new generation; an update clones the live generation
with hard links, deletes the documents of changed and removed files, adds the new ones, and
publishes the result the same way, so both leave the old index answering until they finish.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing.util
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter

from imrsearch.engine.documents import letter_documents
from imrsearch.engine.schema import SCHEMA_VERSION, build_schema
from imrsearch.engine.store import FIRST_BUILD_WAIT, IndexStore, read_manifest, write_manifest
from imrsearch.errors import ImrError
from imrsearch.ingest.archive import (
    Fingerprint,
    LoadResult,
    load_letters,
    walk_archive,
    worker_setup,
)
from imrsearch.model import BuildReport, FileError, Letter
from imrsearch.vocab.paths import display_path

Progress = Callable[[int, int, str], None]  # done, total, current path

# Whoosh's writer processes get the same treatment as the parser workers: they ignore Ctrl-C
# and die with the build.
multiprocessing.util.register_after_fork(worker_setup, lambda setup: setup())
_WRITER_MB = 256
# Below this many files, starting Whoosh's writer processes costs more than it saves.
_PARALLEL_FROM = 1000
_MERGE_AT_SEGMENTS = 10


def build(
    archive: Path, store: IndexStore, progress: Progress | None = None, workers: int | None = None
) -> BuildReport:
    archive = _archive_root(archive)
    with store.write_lock(archive):
        return _build(archive, store, progress, workers)


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
        return _build(archive, store, None, None)


def _build(
    archive: Path, store: IndexStore, progress: Progress | None, workers: int | None
) -> BuildReport:
    started = time.perf_counter()
    walk = walk_archive(archive)
    report = BuildReport(index=str(store.root), archive=str(archive), mode="build")
    report.skipped = walk.skipped
    report.failures.extend(FileError(f.path, f.reason) for f in walk.failures)
    with _workspace(store) as work:
        ix = whoosh_index.create_in(str(work), build_schema())
        results = load_letters(walk.files, workers)
        parallel = (workers or os.cpu_count() or 1) > 1 and len(walk.files) >= _PARALLEL_FROM
        files = _write(ix, results, len(walk.files), {}, report, progress, parallel=parallel)
        return _finish(store, work, ix, archive, files, report, started, None)


def update(
    archive: Path | None,
    store: IndexStore,
    progress: Progress | None = None,
    workers: int | None = None,
) -> BuildReport:
    started = time.perf_counter()
    with store.write_lock(Path(archive) if archive else None):
        # Every checksum, before the live files are linked into the new generation: a damaged
        # segment must not be published again under a fresh name.
        manifest = read_manifest(store.require_live(full=True))
        archive = _archive_root(Path(archive) if archive else Path(manifest["archive"]))
        store.check_location(archive)
        walk = walk_archive(archive)
        known: dict[str, dict[str, Any]] = manifest["files"]
        report = BuildReport(index=str(store.root), archive=str(archive), mode="update")
        report.skipped = walk.skipped
        report.failures.extend(FileError(f.path, f.reason) for f in walk.failures)
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
        with _workspace(store, clone_live=True) as work:
            ix = whoosh_index.open_dir(str(work))
            results = load_letters(to_read, workers)
            files = _write(ix, results, len(to_read), kept, report, progress, deletions=stale)
            return _finish(store, work, ix, archive, files, report, started, manifest["built_at"])


@contextlib.contextmanager
def _workspace(store: IndexStore, clone_live: bool = False) -> Iterator[Path]:
    """The new generation's folder; a write error (disk full, read-only) removes it, frees
    the space, and says so: the live index is untouched."""
    work = None
    try:
        work = store.new_workspace(clone_live=clone_live)
        yield work
    except OSError as exc:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        where = f" ({exc.filename})" if exc.filename else ""
        raise ImrError(
            f"could not write the new index: {exc.strerror or exc}{where}",
            hint="free some disk space or choose another --index folder; "
            "the previous index is unchanged",
        ) from None


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


def _write(
    ix,
    results: Iterable[LoadResult],
    total: int,
    files: dict[str, dict[str, Any]],
    report: BuildReport,
    progress: Progress | None,
    deletions: Iterable[str] = (),
    parallel: bool = False,
) -> dict[str, dict[str, Any]]:
    """Add every loaded letter to `ix`; returns the manifest's file table.

    With `parallel`, Whoosh indexes in one process per core (its MpWriter), leaving several
    segments unmerged: merging would cost as much again and searches barely notice."""
    if parallel:
        writer = _GroupedMpWriter(
            ix, procs=os.cpu_count(), multisegment=True, limitmb=_WRITER_MB // 2
        )
    else:
        writer = ix.writer(limitmb=_WRITER_MB)
    try:
        if deletions:
            # One searcher for all deletions: Whoosh opens a new one per call otherwise,
            # which at 100k letters cost gigabytes for an update of 1%.
            with writer.searcher() as searcher:
                for stale in deletions:
                    writer.delete_by_term("path", stale, searcher=searcher)
        written = 0
        for done, (path, loaded, print_) in enumerate(results, start=1):
            key = display_path(path)
            entry = _entry(key, print_)
            if isinstance(loaded, Letter):
                with writer.group():  # a letter's documents stay together, in order
                    for doc in letter_documents(loaded):
                        writer.add_document(**doc)
                        written += 1
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
        # An update adds a small segment; merging it into the big ones would rewrite them
        # (minutes and gigabytes at 100k letters), so segments are merged only once many pile up.
        writer.commit(merge=parallel or len(writer.segments) >= _MERGE_AT_SEGMENTS)
        if parallel and ix.doc_count_all() != written:
            # Whoosh's MpWriter drops, without a word, the segment of a writer process that
            # died (it waits one second for each result): never publish such an index.
            raise ImrError(
                f"a writer process failed: the new index holds {ix.doc_count_all():,} of "
                f"{written:,} documents, so it was not published",
                hint="run the build again; the previous index is unchanged",
            )
    except BaseException:
        for task in getattr(writer, "tasks", ()):  # Whoosh's writer processes, if any
            task.terminate()
        jobs = getattr(writer, "jobqueue", None)
        if jobs is not None:  # nobody reads it now: do not wait at exit to flush it
            jobs.cancel_join_thread()
        writer.cancel()
        raise
    return files


class _GroupedMpWriter(MpWriter):
    """Whoosh's multi-process writer hands a batch to its writer processes only from
    `add_document` outside a group, and every letter is a group (its documents must stay
    together), so without this all documents waited for the commit and one process indexed
    them all. Here a full batch is handed over as each group ends."""

    def end_group(self) -> None:
        super().end_group()
        if not self._grouping and len(self.docbuffer) >= self.batchsize:
            self._enqueue()


def _entry(path: str, print_: Fingerprint | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path}
    if print_ is not None:
        entry.update(size=print_.size, mtime_ns=print_.mtime_ns, sha1=print_.sha1)
    else:
        entry.update(size=-1, mtime_ns=-1, sha1="")
    return entry


def _finish(store, work, ix, archive, files, report, started, built_at) -> BuildReport:
    ix.close()
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
    write_manifest(
        work,
        {
            "schema_version": SCHEMA_VERSION,
            "archive": str(archive),
            "built_at": built_at or now,
            "updated_at": now,
            "files": files,
            "report": _report_dict(report),
        },
    )
    store.publish(work)
    report.size_bytes = store.size_bytes()
    return report


def _report_dict(report: BuildReport) -> dict[str, Any]:
    return asdict(report)
