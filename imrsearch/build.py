"""Archive → index: walk the archive, parse letters in worker processes, write them into a new
generation of the index, and keep the manifest that lets an update re-read only what changed.

This module joins `ingest` (files → letters) to `engine` (letters → Whoosh), which never import
each other; what the manifest records of each file (`engine.manifest`) and the build report
are decided here.

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
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from imrsearch.engine.manifest import Entry, Manifest, file_count, read_meta
from imrsearch.engine.shards import SHARDINGS
from imrsearch.engine.store import FIRST_BUILD_WAIT, IndexStore
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
    shards: str | None = None,
) -> BuildReport:
    if shards is not None and shards not in SHARDINGS:
        raise ImrError(
            f"unknown sharding '{shards}'", hint="--shards takes: " + ", ".join(SHARDINGS)
        )
    started = time.perf_counter()
    archive = _archive_root(archive)
    walk = _letters_in(archive, follow_symlinks)  # before the lock: a refusal leaves no folder
    with store.write_lock(archive):
        return _build(archive, walk, started, store, progress, workers, follow_symlinks, shards)


def build_first(
    archive: Path, store: IndexStore, announce: Callable[[], None]
) -> BuildReport | None:
    """The automatic first build of a folder that holds no index. If another process takes the
    folder first, wait for its build to end and leave the folder to it (None): two first
    queries started together both use the one index."""
    started = time.perf_counter()
    archive = _archive_root(archive)
    walk = _letters_in(archive, follow_symlinks=False)
    with store.write_lock(archive, wait=FIRST_BUILD_WAIT) as taken:
        if not taken:
            return None
        announce()
        return _build(archive, walk, started, store, None, None, False)


def _letters_in(archive: Path, follow_symlinks: bool) -> Walk:
    walk = walk_archive(archive, follow_symlinks=follow_symlinks)
    if not walk.files:
        raise _no_letters(archive, walk, "nothing to build an index from")
    return walk


def _build(
    archive: Path,
    walk: Walk,
    started: float,
    store: IndexStore,
    progress: Progress | None,
    workers: int | None,
    follow_symlinks: bool,
    shards: str | None = None,
) -> BuildReport:
    report = _report(store, archive, "build", walk)
    parallel = _parallel(workers, len(walk.files))
    order = _walk_order(walk)
    sharded = shards is not None
    with NewGeneration(store, update=False, parallel=parallel, sharded=sharded) as generation:
        results = _in_order(load_letters(walk.files, workers), walk.files)
        _index(generation, results, len(walk.files), report, progress, order)
        return _publish(generation, archive, report, started, None, follow_symlinks, shards)


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
        live = store.require_live(full=True)
        meta = read_meta(live)
        archive = _archive_root(Path(archive) if archive else Path(meta["archive"]))
        store.check_location(archive)
        if follow_symlinks is None:
            follow_symlinks = bool(meta.get("follow_symlinks", False))
        walk = walk_archive(archive, follow_symlinks=follow_symlinks)
        if not walk.files and (held := file_count(live)):
            held_text = f"all {held:,} files the index holds"
            consequence = f"an update would remove the letters of {held_text}"
            raise _no_letters(archive, walk, consequence, moved=True)
        report = _report(store, archive, "update", walk)
        present = {display_path(p): p for p in walk.files}
        order = {key: i for i, key in enumerate(present)}
        shards = meta.get("shards")
        with NewGeneration(store, update=True, sharded=shards is not None) as generation:
            files = generation.manifest
            changes = _changes(files, present)
            generation.delete(changes.stale)
            files.remove(changes.stale)
            files.touch(changes.touched)
            report.removed = changes.removed
            report.unchanged = files.count()
            report.failures.extend(FileError(path, reason) for path, reason in files.failures())
            to_read = [p for key, p in present.items() if key in changes.reread]
            if _parallel(workers, len(to_read)):
                generation.write_in_parallel()
            results = _in_order(load_letters(to_read, workers), to_read)
            _index(generation, results, len(to_read), report, progress, order)
            built_at = meta["built_at"]
            return _publish(generation, archive, report, started, built_at, follow_symlinks, shards)


def _parallel(workers: int | None, files: int) -> bool:
    return (workers or os.cpu_count() or 1) > 1 and files >= _PARALLEL_FROM


def _no_letters(archive: Path, walk: Walk, consequence: str, moved: bool = False) -> ImrError:
    """The archive holds no letter: a wrong folder, an unmounted disk or a moved archive,
    refused rather than answered with an empty index."""
    unread = f"; {len(walk.failures):,} folders or links could not be read" if walk.failures else ""
    hint = "letters are .txt and .pdf files, in the folder or any folder below it"
    if moved:
        hint = "if the archive moved, name its new place: imrsearch index update NEW_FOLDER"
    return ImrError(
        f"no letters in {archive} ({walk.skipped:,} other files{unread}): {consequence}",
        hint=hint,
    )


@dataclass
class _Changes:
    """What an update does to the manifest's files: read again, drop, refresh the mtime of."""

    reread: set[str]  # new, changed, and copies whose indexed twin is gone or read again
    stale: list[str]  # files in the manifest that are gone or read again
    touched: list[tuple[str, int]]  # (path, new mtime_ns) of files touched but not changed
    removed: int  # files in the manifest that are gone


def _changes(files: Manifest, present: dict[str, Path]) -> _Changes:
    """Compare the manifest, streamed row by row, with the files the walk found."""
    new = set(present)
    gone: list[str] = []
    changed: list[str] = []
    touched: list[tuple[str, int]] = []
    copies: list[tuple[str, str]] = []
    for path, size, mtime_ns, sha1, duplicate_of in files.fingerprints():
        found = present.get(path)
        if found is None:
            gone.append(path)
            continue
        new.discard(path)
        outcome = _changed(found, size, mtime_ns, sha1)
        if outcome is True:
            changed.append(path)
        else:
            if outcome is not False:
                touched.append((path, outcome))
            if duplicate_of:
                copies.append((path, duplicate_of))
    reread = set(changed)
    # Unchanged copies whose indexed twin is gone or read again are read again too, so that
    # the letter stays indexed (from this copy, if the twin changed or went).
    orphans = [path for path, first in copies if first not in present or first in reread]
    reread.update(orphans, new)
    return _Changes(reread, gone + changed + orphans, touched, removed=len(gone))


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


def _changed(path: Path, size: int, mtime_ns: int, sha1: str) -> bool | int:
    """True if the file changed since the manifest's row was written; False if not; its new
    mtime if it was only touched (the row keeps it, so the next update does not hash it
    again)."""
    try:
        st = path.stat()
    except OSError:
        return True
    if st.st_size == size and st.st_mtime_ns == mtime_ns:
        return False
    if st.st_size != size or not sha1:
        return True
    try:
        if hashlib.sha1(path.read_bytes()).hexdigest() != sha1:
            return True
    except OSError:
        return True
    return st.st_mtime_ns


def _index(
    generation: NewGeneration,
    results: Iterable[LoadResult],
    total: int,
    report: BuildReport,
    progress: Progress | None,
    order: dict[str, int],
) -> None:
    """Add every loaded letter that is not a copy of one indexed before it in walk order to the
    new generation, and each file's row to its manifest."""
    files = generation.manifest
    for done, (path, loaded, print_) in enumerate(results, start=1):
        key = display_path(path)
        entry = _entry(key, print_)
        if isinstance(loaded, Letter):
            report.added += 1
            letter = entry.letter = letter_key(loaded)
            first = files.indexed(letter)
            if first is not None and order[first] < order[key]:
                entry.duplicate_of = first
            else:
                if first is not None:  # an unchanged copy that comes later: this one replaces it
                    generation.delete([first])
                    files.demote(first, key)
                generation.add(loaded)
                entry.format = loaded.format
                entry.decisions = len(loaded.decisions)
                entry.outcomes = dict(Counter(d.outcome or "unknown" for d in loaded.decisions))
                entry.warnings = len(loaded.warnings)
                if not loaded.decisions:
                    entry.text_only = "; ".join(loaded.warnings) or "no disputed items found"
        else:
            entry.failure = loaded.reason
            report.failures.append(FileError(key, loaded.reason))
        files.put(entry)
        if progress:
            progress(done, total, key)
    files.settle()


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


def _entry(path: str, print_: Fingerprint | None) -> Entry:
    if print_ is None:
        return Entry(path, size=-1, mtime_ns=-1, sha1="")
    return Entry(path, size=print_.size, mtime_ns=print_.mtime_ns, sha1=print_.sha1)


def _publish(
    generation: NewGeneration,
    archive: Path,
    report: BuildReport,
    started: float,
    built_at: str | None,
    follow_symlinks: bool,
    shards: str | None,
) -> BuildReport:
    files = generation.manifest
    report.text_only = [FileError(path, reason) for path, reason in files.text_only()]
    report.duplicates = [
        FileError(path, f"duplicate of {first}") for path, first in files.duplicates()
    ]
    totals = files.totals()
    report.letters = totals.letters
    report.decisions = totals.decisions
    report.warnings = totals.warned
    report.formats = totals.formats
    report.outcomes = totals.outcomes
    generation.commit()  # the writers' last work is part of the build's time
    report.seconds = time.perf_counter() - started
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    generation.publish(
        {
            "archive": str(archive),
            "follow_symlinks": follow_symlinks,
            "shards": shards,
            "built_at": built_at or now,
            "updated_at": now,
            "report": asdict(report),
        }
    )
    report.size_bytes = generation.store.size_bytes()
    return report
