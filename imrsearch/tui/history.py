"""The query bar's history, kept between runs in the user's state folder.

`$XDG_STATE_HOME/imrsearch/history`, else `~/.local/state/imrsearch/history`: one query per
line, as JSON strings (a query may hold any character), the newest last, at most `LIMIT`.

History is a convenience, never a reason to fail: a file that is missing, unreadable, too big
or not wholly a history reads as no history, and is left as it is (never replaced by one that
would lose what it holds); a write that fails is dropped. The folder is made 0700 (queries
name cases and drugs), and no symlink planted there is followed: the folder and the file are
opened with O_NOFOLLOW, and a write goes to a new file that then replaces the old one.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from pathlib import Path

LIMIT = 500
MAX_BYTES = 1 << 20  # a history file larger than this is not one this wrote
_NAME = "history"


def history_folder() -> Path | None:
    """Where the history lives, or None when there is no home to keep it in."""
    state = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state):  # the XDG spec: a relative path is ignored
        try:
            state = str(Path.home() / ".local" / "state")
        except RuntimeError:  # no home folder known
            return None
    return Path(state) / "imrsearch"


def load(folder: Path | None) -> list[str]:
    """The saved queries, oldest first; [] for anything that is not a readable history."""
    return _read(folder) or []


def append(folder: Path | None, query: str) -> bool:
    """Add `query` to the saved history (to what is on disk now, so that two apps running at
    once both keep theirs); False when it was not written. A file that is not a history this
    wrote is left as it is."""
    entries = _read(folder)
    if entries is None:
        return False
    if entries and entries[-1] == query:
        return True
    return save(folder, [*entries, query])


def _read(folder: Path | None) -> list[str] | None:
    """The saved queries ([] when there are none yet), or None when what is there is not a
    history: unreadable, not a regular file, too big, or a line that is not one query."""
    if folder is None:
        return None
    try:
        fd = _open_folder(folder)
    except FileNotFoundError:
        return []
    except OSError:
        return None
    try:
        file = os.open(_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    except FileNotFoundError:
        return []
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        if not stat.S_ISREG(os.fstat(file).st_mode):  # a folder, a FIFO, a device put there
            return None
        with open(file, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(file)
    if len(data) > MAX_BYTES:
        return None
    try:
        entries = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    except ValueError:  # UnicodeDecodeError is one too
        return None
    if not all(isinstance(entry, str) and entry for entry in entries):
        return None
    return entries[-LIMIT:]


def save(folder: Path | None, entries: list[str]) -> bool:
    """Write the newest `LIMIT` queries; False when they could not be written."""
    if folder is None:
        return False
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        fd = _open_folder(folder)
    except OSError:
        return False
    temporary = f".{_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
    created = False
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        out = os.open(temporary, flags, 0o600, dir_fd=fd)
        created = True
        with os.fdopen(out, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(entry) + "\n" for entry in entries[-LIMIT:])
        os.replace(temporary, _NAME, src_dir_fd=fd, dst_dir_fd=fd)
        return True
    except OSError:
        if created:  # only ever the file made here
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=fd)
        return False
    finally:
        os.close(fd)


def _open_folder(folder: Path) -> int:
    """The history folder, opened without following a symlink put in its place."""
    return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
