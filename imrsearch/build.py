"""Archive → index: walk the archive, parse letters in worker processes, write them into a new
generation of the index, and keep the manifest that lets an update re-read only what changed.

This module joins `ingest` (files → letters) to `engine` (letters → Whoosh), which never import
each other; the manifest's file table and the build report live here.

One letter is indexed once, however many files hold it (a PDF and its text, a re-download):
files with the same case number and the same content are copies, and only the first in walk
order is indexed; the others are reported as duplicates of it. An update keeps that true when
files come and go: a copy whose indexed twin is removed or changed is read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from imrsearch.engine.store import FIRST_BUILD_WAIT, IndexStore, read_manifest
from imrsearch.engine.writer import NewGeneration
from imrsearch.errors import ImrError
from imrsearch.ingest.archive import Fingerprint, LoadResult, Walk, load_letters, walk_archive
from imrsearch.ingest.normalize import fold, normalize
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
    order = _walk_order(walk)
    with NewGeneration(store, update=False, parallel=parallel) as generation:
        results = _in_order(load_letters(walk.files, workers), walk.files)
        files = _index(generation, results, len(walk.files), {}, report, progress, order)
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
        reread = {key for key, p in present.items() if _changed(p, known.get(key))}
        reread |= _orphans(known, present, reread)
        to_read = [p for key, p in present.items() if key in reread]
        stale = [path for path in known if path not in present or path in reread]
        kept = {k: v for k, v in known.items() if k in present and k not in reread}
        report.removed = sum(1 for path in known if path not in present)
        report.unchanged = len(kept)
        report.failures.extend(
            FileError(k, v["failure"]) for k, v in kept.items() if v.get("failure")
        )
        order = _walk_order(walk)
        with NewGeneration(store, update=True) as generation:
            generation.delete(stale)
            results = _in_order(load_letters(to_read, workers), to_read)
            files = _index(generation, results, len(to_read), kept, report, progress, order)
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
    order: dict[str, int],
) -> dict[str, dict[str, Any]]:
    """Add every loaded letter that is not a copy of one indexed before it in walk order to the
    new generation; returns the manifest's file table (`files`, the unchanged entries, grown)."""
    indexed = {
        entry["letter"]: path
        for path, entry in files.items()
        if "letter" in entry and "duplicate_of" not in entry
    }
    for done, (path, loaded, print_) in enumerate(results, start=1):
        key = display_path(path)
        entry = files[key] = _entry(key, print_)
        if isinstance(loaded, Letter):
            report.added += 1
            letter = entry["letter"] = letter_key(loaded)
            first = indexed.get(letter)
            if first is not None and order[first] < order[key]:
                entry["duplicate_of"] = first
            else:
                if first is not None:  # an unchanged copy that comes later: this one replaces it
                    generation.delete([first])
                    _demote(files, first, key)
                indexed[letter] = key
                generation.add(loaded)
                entry.update(
                    format=loaded.format,
                    decisions=len(loaded.decisions),
                    outcomes=dict(Counter(d.outcome or "unknown" for d in loaded.decisions)),
                    warnings=len(loaded.warnings),
                )
                if not loaded.decisions:
                    entry["text_only"] = "; ".join(loaded.warnings) or "no disputed items found"
        else:
            entry["failure"] = loaded.reason
            report.failures.append(FileError(key, loaded.reason))
        if progress:
            progress(done, total, key)
    _settle(files)
    return files


def letter_key(letter: Letter) -> str:
    """What makes two files one letter: the case number and a digest of the content. The
    content is the parsed letter (dates, reviewer, patient, summary, decisions) when it has
    decisions, so that a PDF and a text copy agree wherever their lines broke; else the text,
    normalised, every run of blanks one space."""
    if letter.decisions:
        record = letter.to_dict()
        del record["path"], record["warnings"]
        content = json.dumps(_folded(record), sort_keys=True)
    else:
        content = fold(normalize(letter.text))
    digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{letter.case_number or ''} {digest}"


def _folded(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_folded(v) for v in value]
    if isinstance(value, dict):
        return {k: _folded(v) for k, v in value.items()}
    return value


def _demote(files: dict[str, dict[str, Any]], old: str, new: str) -> None:
    """`old` was indexed and is now a copy of `new` (its own copies follow: `_settle`)."""
    entry = files[old]
    for name in ("format", "decisions", "outcomes", "warnings", "text_only"):
        entry.pop(name, None)
    entry["duplicate_of"] = new


def _settle(files: dict[str, dict[str, Any]]) -> None:
    """Every copy names the file its letter is indexed from, not a copy that was demoted."""
    for entry in files.values():
        target = entry.get("duplicate_of")
        seen = {entry["path"]}
        while target in files and files[target].get("duplicate_of") and target not in seen:
            seen.add(target)
            target = files[target]["duplicate_of"]
        if target is not None:
            entry["duplicate_of"] = target


def _orphans(
    known: dict[str, dict[str, Any]], present: dict[str, Path], reread: set[str]
) -> set[str]:
    """Unchanged copies whose indexed twin is gone or read again: they are read again too, so
    that the letter stays indexed (from this copy, if the twin changed or went)."""
    return {
        path
        for path, entry in known.items()
        if path in present
        and path not in reread
        and entry.get("duplicate_of")
        and (entry["duplicate_of"] not in present or entry["duplicate_of"] in reread)
    }


def _walk_order(walk: Walk) -> dict[str, int]:
    return {display_path(p): i for i, p in enumerate(walk.files)}


def _in_order(results: Iterable[LoadResult], paths: list[Path]) -> Iterator[LoadResult]:
    """`results` in the order of `paths`: workers finish out of order, and which copy of a
    letter is indexed must not depend on which worker was faster. The loader has only a few
    chunks in flight, so few results wait here."""
    position = {path: i for i, path in enumerate(paths)}
    waiting: dict[int, LoadResult] = {}
    following = 0
    for result in results:
        waiting[position[result[0]]] = result
        while following in waiting:
            yield waiting.pop(following)
            following += 1
    yield from (waiting[i] for i in sorted(waiting))


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
    report.text_only = [
        FileError(path, entry["text_only"]) for path, entry in files.items() if "text_only" in entry
    ]
    report.duplicates = [
        FileError(path, f"duplicate of {entry['duplicate_of']}")
        for path, entry in files.items()
        if "duplicate_of" in entry
    ]
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
