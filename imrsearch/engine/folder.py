"""The index folder's own safety: which folders a build may take, the marker that says a folder
is an imrsearch index, and the journal of every name the tool made in it (see `store`)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import stat
import time
from pathlib import Path
from typing import IO

from imrsearch.engine import integrity
from imrsearch.errors import ImrError, IndexBusy, IndexUnsafe

MARKER = ".imrsearch-index"
JOURNAL = ".imrsearch-journal"
LOCK = ".lock"
MANIFEST = "manifest.sqlite"  # in each generation: the files it was built from (`manifest`)
MARKER_FORMAT = "imrsearch-index"
MARKER_VERSION = 1
GEN = re.compile(r"gen-(\d{6})")
TMP = re.compile(r"tmp-[0-9a-f]{16}")
_MARKER_NEW = f"{MARKER}.new"
_TAKEABLE = {".gitignore", LOCK, _MARKER_NEW}  # all a folder may hold for a build to take it
TRUST_HINT = (
    "Whoosh stores pickles, so an index runs code when read: make the folder and its files "
    "writable only by you, or build a new index in a folder only you can write"
)


def check_location(root: Path, archive: Path | None = None) -> None:
    """Refuse `/`, the home folder, and the archive itself or a folder inside or around it."""
    where = root.resolve()
    reason = None
    if where == Path(where.anchor):
        reason = "it is the root of the file system"
    elif where == _home():
        reason = "it is your home folder"
    elif archive is not None:
        letters = Path(archive).resolve()
        if where == letters:
            reason = "it is the archive folder"
        elif letters in where.parents:
            reason = f"it is inside the archive folder {letters}"
        elif where in letters.parents:
            reason = f"it holds the archive folder {letters}"
    if reason:
        raise ImrError(
            f"will not use {root} as the index folder: {reason}",
            hint="give --index a new folder of its own, outside the archive "
            "(for example --index ~/imr-index)",
        )


def claim(root: Path) -> None:
    """Make the folder if it is missing; refuse it if others can write it, or if it is neither
    marked nor empty (a `.gitignore` alone, as the repository ships, is empty). Made first,
    checked after: two first queries started together may both try to make it."""
    try:
        root.mkdir(parents=True, mode=0o755)
        return
    except FileExistsError:
        pass
    except OSError as exc:
        raise ImrError(
            f"cannot write to {root}: {exc.strerror}",
            hint="choose an index folder you can write to with --index",
        ) from None
    try:
        st = os.stat(root)
    except OSError as exc:
        raise ImrError(
            f"cannot use {root} as the index folder: {exc.strerror}",
            hint="choose an index folder you can write to with --index",
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        raise ImrError(f"cannot use {root} as the index folder: it is not a folder")
    refuse_unsafe(root)
    if marked(root):
        return
    others = sorted(set(os.listdir(root)) - _TAKEABLE)
    if others:
        raise ImrError(
            f"{root} is not an imrsearch index and is not empty "
            f"(it holds {others[0]!r}{' and more' if len(others) > 1 else ''})",
            hint=f"give --index a new or empty folder; imrsearch marks its index folders "
            f"with a {MARKER} file and changes nothing in a folder without one "
            "(an index made by an older imrsearch has none: delete it yourself first)",
        )


def marked(root: Path) -> bool:
    """Whether the folder carries the marker an imrsearch build writes."""
    try:
        path = root / MARKER
        if not stat.S_ISREG(path.lstat().st_mode) or path.stat().st_size > 4096:
            return False
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == MARKER_FORMAT


def mark(root: Path) -> None:
    """Write the marker whole under a temporary name, then rename it: a first query started at
    the same moment must never see a marker half written (and take the folder for a stranger's)."""
    data = {"format": MARKER_FORMAT, "version": MARKER_VERSION}
    write_synced(root / _MARKER_NEW, json.dumps(data) + "\n")
    os.replace(root / _MARKER_NEW, root / MARKER)
    fsync_dir(root)


def refuse_unsafe(path: Path) -> None:
    reason = integrity.unsafe_reason(path)
    if reason:
        raise IndexUnsafe(f"refusing to use the index folder {path}: {reason}", hint=TRUST_HINT)


def record(root: Path, name: str) -> None:
    """Write `name` down before making it: only names written down are ever removed."""
    fd = os.open(root / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.fchmod(fd, 0o644)
        os.write(fd, f"{name}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def recorded(root: Path) -> list[str]:
    """The workspace and generation names the journal holds, oldest first."""
    try:
        text = (root / JOURNAL).read_text(errors="replace")
    except FileNotFoundError:
        return []
    return [n for n in dict.fromkeys(text.split()) if GEN.fullmatch(n) or TMP.fullmatch(n)]


def rewrite_journal(root: Path) -> None:
    """Keep only the names that still exist (written aside, then swapped in atomically)."""
    kept = [n for n in recorded(root) if os.path.lexists(root / n)]
    fresh = root / f"{JOURNAL}.new"
    write_synced(fresh, "".join(f"{n}\n" for n in kept))
    os.replace(fresh, root / JOURNAL)


def lock(handle: IO[str], root: Path, wait: float) -> None:
    """Take the write lock, trying for up to `wait` seconds. A POSIX record lock, not flock:
    worker processes forked while it is held do not inherit it, so a killed build cannot leave
    it held by its workers."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError:
            if time.monotonic() >= deadline:
                waited = f" (waited {wait:.0f} s)" if wait else ""
                raise IndexBusy(
                    f"another build or update is writing {root}{waited}",
                    hint="wait for it to finish; queries keep working meanwhile",
                ) from None
            time.sleep(0.1)


def write_synced(path: Path, text: str) -> None:
    """Write and fsync a small file, writable only by its owner whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.fchmod(fd, 0o644)
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_dir(path: Path) -> None:
    """Remove a folder this tool made; never follow a link put in its place."""
    if stat.S_ISDIR(lstat_mode(path)):
        shutil.rmtree(path, ignore_errors=True)


def number(name: str) -> int:
    return int(name[len("gen-") :])


def lstat_mode(path: Path) -> int:
    try:
        return path.lstat().st_mode
    except OSError:
        return 0


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):
        return None
