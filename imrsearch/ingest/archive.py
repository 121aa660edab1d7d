"""Archive directory → letters: walk the tree, read and parse files in worker processes.

A bad file never stops the work: it comes back as a `Failure` with its path (in the display
form of `vocab.paths`, as every path that becomes text) and the reason. Each file costs at
most `FILE_TIMEOUT_SECONDS` (and a PDF at most the reader process's bounds, see
`ingest.extract`); the walk needs no stack depth, however deep the tree.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from imrsearch.children import die_with_parent
from imrsearch.errors import BadFile
from imrsearch.ingest.extract import extract_text, read_file
from imrsearch.ingest.parser import parse_text
from imrsearch.model import Letter
from imrsearch.vocab.paths import display_path

LETTER_SUFFIXES = (".txt", ".pdf")
FILE_TIMEOUT_SECONDS = 60
_CHUNK = 16


@dataclass(frozen=True)
class Fingerprint:
    """What tells an update that a file changed: size and mtime first, the hash to be sure."""

    size: int
    mtime_ns: int
    sha1: str = ""


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)
    skipped: int = 0  # files that are not .txt or .pdf
    failures: list[Failure] = field(default_factory=list)  # unreadable folders, link loops


def walk_archive(root: Path, follow_symlinks: bool = False) -> Walk:
    """Every .txt and .pdf below `root`, depth first in name order, with an explicit stack
    (no depth exhausts it) and each folder visited once (a link back is reported as a loop).

    A symlink whose target lies outside `root` is skipped and reported unless
    `follow_symlinks`, so a link to /etc/shadow or /usr cannot pull files into the index;
    links that stay inside the archive are followed either way."""
    walk = Walk()
    top = Path(os.path.realpath(root))
    seen: set[tuple[int, int]] = set()
    stack: list[Iterator[os.DirEntry[str]]] = []
    entries = _open_folder(Path(root), walk, seen)
    if entries is not None:
        stack.append(iter(entries))
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        kind = _kind(entry, top, follow_symlinks, walk)
        if kind == "folder":
            entries = _open_folder(path, walk, seen)
            if entries is not None:
                stack.append(iter(entries))
        elif kind and path.suffix.lower() in LETTER_SUFFIXES:
            if kind == "file":
                walk.files.append(path)
            else:  # a pipe, socket or device
                walk.failures.append(Failure(display_path(path), "not a regular file"))
        elif kind:
            walk.skipped += 1
    return walk


def _open_folder(
    folder: Path, walk: Walk, seen: set[tuple[int, int]]
) -> list[os.DirEntry[str]] | None:
    """The entries of `folder` sorted by name, or None (reported) if it was seen already or
    cannot be listed (a path too long, no permission)."""
    try:
        st = folder.stat()
    except OSError as exc:
        walk.failures.append(Failure(display_path(folder), f"cannot open folder: {exc.strerror}"))
        return None
    key = (st.st_dev, st.st_ino)
    if key in seen:
        walk.failures.append(Failure(display_path(folder), "symlink loop (folder already visited)"))
        return None
    seen.add(key)
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        walk.failures.append(Failure(display_path(folder), f"cannot list folder: {exc.strerror}"))
        return None


def _kind(entry: os.DirEntry[str], top: Path, follow_symlinks: bool, walk: Walk) -> str:
    """What `entry` is: a folder, a file, other (pipe, socket, device), or "" when it has been
    reported (a broken link, a link out of the archive, a failed stat)."""
    try:
        if not entry.is_symlink():
            if entry.is_dir(follow_symlinks=False):
                return "folder"
            return "file" if entry.is_file(follow_symlinks=False) else "other"
        try:
            mode = os.stat(entry.path).st_mode
        except OSError as exc:
            walk.failures.append(
                Failure(display_path(entry.path), f"broken or looping symlink: {exc.strerror}")
            )
            return ""
        target = Path(os.path.realpath(entry.path))
        if not follow_symlinks and not target.is_relative_to(top):
            reason = f"symlink leads outside the archive: {display_path(target)}"
            walk.failures.append(Failure(display_path(entry.path), reason))
            return ""
    except OSError as exc:
        walk.failures.append(Failure(display_path(entry.path), f"cannot stat: {exc.strerror}"))
        return ""
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def fingerprint(path: Path) -> Fingerprint:
    st = path.stat()
    return Fingerprint(st.st_size, st.st_mtime_ns)


def load_letter(path: Path) -> tuple[Letter, Fingerprint]:
    """Read, extract and parse one file; `BadFile` if it holds no letter text."""
    data, st = read_file(path)
    letter = parse_text(extract_text(path, data), display_path(path))
    return letter, Fingerprint(st.st_size, st.st_mtime_ns, hashlib.sha1(data).hexdigest())


LoadResult = tuple[Path, "Letter | Failure", "Fingerprint | None"]


def _on_alarm(signum, frame):
    raise TimeoutError


def _load_chunk(paths: list[Path]) -> list[LoadResult]:
    signal.signal(signal.SIGALRM, _on_alarm)
    results: list[LoadResult] = []
    for path in paths:
        signal.alarm(FILE_TIMEOUT_SECONDS)
        try:
            letter, print_ = load_letter(path)
            results.append((path, letter, print_))
        except BadFile as exc:
            results.append((path, Failure(display_path(path), exc.reason), _safe_fingerprint(path)))
        except TimeoutError:
            reason = f"took longer than {FILE_TIMEOUT_SECONDS}s to read"
            results.append((path, Failure(display_path(path), reason), _safe_fingerprint(path)))
        except Exception as exc:  # a reader bug must not stop the archive
            reason = f"unexpected error: {type(exc).__name__}: {exc}"
            results.append((path, Failure(display_path(path), reason), _safe_fingerprint(path)))
        finally:
            signal.alarm(0)
    return results


def _safe_fingerprint(path: Path) -> Fingerprint | None:
    try:
        return fingerprint(path)
    except OSError:
        return None


def load_letters(paths: Iterable[Path], workers: int | None = None) -> Iterator[LoadResult]:
    """Load files in `workers` processes (default: every core), yielding results as they come.

    At most a few chunks are in flight, so memory stays bounded whatever the archive size. A
    file that kills its worker (a crash inside the PDF library) is isolated and reported.
    """
    paths = list(paths)
    workers = workers or os.cpu_count() or 1
    chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    if workers == 1:
        for chunk in chunks:
            yield from _load_chunk(chunk)
        return
    pending = list(reversed(chunks))
    while pending:
        suspects: list[Path] = []
        pool = _pool(workers)
        try:
            running: dict = {}
            while (pending or running) and not suspects:
                while pending and len(running) < 2 * workers:
                    chunk = pending.pop()
                    running[pool.submit(_load_chunk, chunk)] = chunk
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    chunk = running.pop(future)
                    try:
                        yield from future.result()
                    except BrokenProcessPool:
                        suspects.extend(chunk)
                if suspects:
                    suspects.extend(p for chunk in running.values() for p in chunk)
        except BaseException:  # Ctrl-C, or the consumer stopped: drop the queued chunks
            pool.shutdown(wait=True, cancel_futures=True)  # workers finish their one chunk
            raise
        pool.shutdown()
        for path in suspects:
            yield from _load_isolated(path)


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent)


def _load_isolated(path: Path) -> list[LoadResult]:
    """One file in a process of its own: if the process dies, this file killed it."""
    pool = _pool(1)
    try:
        return pool.submit(_load_chunk, [path]).result()
    except BrokenProcessPool:
        return [(path, Failure(display_path(path), "crashed the reader (corrupt file?)"), None)]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
