"""What a published generation holds, checked before Whoosh reads a byte of it.

Whoosh keeps pickles in an index (its TOC, each segment's directory and stored fields), and
unpickling runs whatever code the data names, so an index folder is trusted like a program.
Each generation therefore carries `generation.json`, written when it is published: every
file's size and sha256. Opening checks the cheap part (the file list, every size, the TOC's
checksum) before Whoosh opens anything; `index update` and `index verify` check every
checksum. This finds damage, not an attacker who can write the folder (they could rewrite
`generation.json` too), so a folder or file others can write to is refused outright.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

GENERATION_FILE = "generation.json"
GENERATION_SCHEMA = 1
_TOC_SUFFIX = ".toc"  # Whoosh's table of contents: the first pickle it reads
_MAX_GENERATION_FILE = 4 * 2**20
_CHUNK = 2**20


@dataclass
class Check:
    """The outcome of checking one generation: what was checked and what was wrong."""

    files: int = 0
    bytes: int = 0
    index_schema: int | None = None
    problems: list[str] = field(default_factory=list)  # damage, each naming its file
    unsafe: list[str] = field(default_factory=list)  # writable by others, each naming its path


def record(folder: Path, index_schema: int, linked_from: Path | None = None) -> None:
    """Write `generation.json` for the files in `folder`, and make them writable only by their
    owner. A file hard-linked from `linked_from` (an update's clone of the live generation)
    keeps that generation's recorded entry instead of being hashed again."""
    known = _files(linked_from) if linked_from is not None else {}
    files: dict[str, dict[str, Any]] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        st = item.lstat()
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"not a regular file in a new index: {item.name}")
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            os.chmod(item, stat.S_IMODE(st.st_mode) & ~(stat.S_IWGRP | stat.S_IWOTH))
        entry = known.get(item.name)
        if entry is None or linked_from is None or not _same_file(linked_from / item.name, st):
            entry = {"size": st.st_size, "sha256": sha256(item)}
        files[item.name] = entry
    data = {
        "schema": GENERATION_SCHEMA,
        "index_schema": index_schema,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": files,
    }
    fd = os.open(folder / GENERATION_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with open(fd, "w") as handle:
        os.fchmod(fd, 0o644)
        handle.write(json.dumps(data, indent=1) + "\n")


def listed(folder: Path) -> list[str]:
    """The files `generation.json` records (raises ValueError if it cannot be read)."""
    return sorted(_files(folder))


def check(folder: Path, full: bool) -> Check:
    """Compare `folder` with its `generation.json`: with `full`, every checksum; without, only
    the TOC's (cheap enough for every open)."""
    result = Check()
    for path in (folder, folder / GENERATION_FILE):
        unsafe = unsafe_reason(path)
        if unsafe:
            result.unsafe.append(f"{path.relative_to(folder.parent)}: {unsafe}")
    try:
        data = _load(folder)
    except ValueError as exc:
        result.problems.append(f"{folder.name}/{GENERATION_FILE}: {exc}")
        return result
    result.index_schema = data.get("index_schema")
    files: dict[str, dict[str, Any]] = data["files"]
    try:
        present = set(os.listdir(folder)) - {GENERATION_FILE}
    except OSError as exc:
        result.problems.append(f"{folder.name}: cannot list it: {exc.strerror}")
        return result
    for name in sorted(present - set(files)):
        result.problems.append(f"{folder.name}/{name}: not part of the index as it was built")
    for name, entry in sorted(files.items()):
        problem = _check_file(folder / name, entry, full or name.endswith(_TOC_SUFFIX), result)
        if problem:
            result.problems.append(f"{folder.name}/{name}: {problem}")
    return result


def unsafe_reason(path: Path, st: os.stat_result | None = None) -> str | None:
    """Why others could change `path` (writable by all, or owned by another user), or None."""
    try:
        st = st or os.stat(path)
    except OSError:
        return None  # what is missing is reported as missing
    if st.st_uid != os.geteuid():
        return f"owned by another user (uid {st.st_uid})"
    if st.st_mode & stat.S_IWOTH:
        return "writable by every user"
    return None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_file(path: Path, entry: dict[str, Any], hash_it: bool, result: Check) -> str | None:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot read it: {exc.strerror}"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    unsafe = unsafe_reason(path, st)
    if unsafe:
        result.unsafe.append(f"{path.parent.name}/{path.name}: {unsafe}")
    result.files += 1
    result.bytes += st.st_size
    if st.st_size != entry["size"]:
        return f"{st.st_size:,} bytes, but {entry['size']:,} when it was built"
    if hash_it:
        try:
            if sha256(path) != entry["sha256"]:
                return "its content changed since it was built (sha256 differs)"
        except OSError as exc:
            return f"cannot read it: {exc.strerror}"
    return None


def _same_file(other: Path, st: os.stat_result) -> bool:
    try:
        there = other.lstat()
    except OSError:
        return False
    return (there.st_dev, there.st_ino) == (st.st_dev, st.st_ino)


def _files(folder: Path) -> dict[str, dict[str, Any]]:
    return _load(folder)["files"]


def _load(folder: Path) -> dict[str, Any]:
    """`generation.json`, shape-checked; ValueError says what is wrong with it."""
    path = folder / GENERATION_FILE
    try:
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > _MAX_GENERATION_FILE:
            raise ValueError(f"{st.st_size:,} bytes, far too large")
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ValueError("missing") from None
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ValueError("not JSON") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("schema") != GENERATION_SCHEMA:
        raise ValueError("not a generation file this version of imrsearch knows")
    files = data.get("files")
    if not isinstance(files, dict) or not all(_valid(n, e) for n, e in files.items()):
        raise ValueError("its file table is malformed")
    return data


def _valid(name: str, entry: Any) -> bool:
    return (
        bool(name)
        and name not in (".", "..", GENERATION_FILE)
        and "/" not in name
        and "\0" not in name
        and isinstance(entry, dict)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
    )
