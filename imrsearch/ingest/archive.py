"""Archive directory → letters: walk the tree, read and parse files in worker processes.

A bad file never stops the work: it comes back as a `Failure` with its path (in the display
form of `ingest.paths`, as every path that becomes text) and the reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from imrsearch.errors import BadFile
from imrsearch.ingest.extract import extract_text, read_file
from imrsearch.ingest.parser import parse_text
from imrsearch.ingest.paths import display_path
from imrsearch.model import Letter

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


def walk_archive(root: Path) -> Walk:
    """Every .txt and .pdf below `root`, sorted; symlinked folders followed once, loops reported."""
    walk = Walk()
    seen_dirs: set[tuple[int, int]] = set()

    def visit(directory: Path) -> None:
        try:
            st = directory.stat()
        except OSError as exc:
            walk.failures.append(
                Failure(display_path(directory), f"cannot open folder: {exc.strerror}")
            )
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            walk.failures.append(
                Failure(display_path(directory), "symlink loop (folder already visited)")
            )
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            walk.failures.append(
                Failure(display_path(directory), f"cannot list folder: {exc.strerror}")
            )
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    visit(path)
                elif entry.is_file():
                    if path.suffix.lower() in LETTER_SUFFIXES:
                        walk.files.append(path)
                    else:
                        walk.skipped += 1
                elif entry.is_symlink():
                    walk.failures.append(Failure(display_path(path), "broken or looping symlink"))
                elif path.suffix.lower() in LETTER_SUFFIXES:  # a pipe, socket or device
                    walk.failures.append(Failure(display_path(path), "not a regular file"))
                else:
                    walk.skipped += 1
            except OSError as exc:
                walk.failures.append(Failure(display_path(path), f"cannot stat: {exc.strerror}"))

    visit(root)
    return walk


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
    return ProcessPoolExecutor(max_workers=workers, initializer=worker_setup)


def worker_setup() -> None:
    """In a worker process: leave Ctrl-C to the main process (it stops the work and says so)
    and die with it, so a `kill -9` of a build leaves no workers behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):  # prctl is Linux-only
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _load_isolated(path: Path) -> list[LoadResult]:
    """One file in a process of its own: if the process dies, this file killed it."""
    pool = _pool(1)
    try:
        return pool.submit(_load_chunk, [path]).result()
    except BrokenProcessPool:
        return [(path, Failure(display_path(path), "crashed the reader (corrupt file?)"), None)]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
