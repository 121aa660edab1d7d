"""The manifest: what the last build or update knew about every archive file (size, mtime and
hash, the letter it holds, the file it is a copy of, why it failed, its counts), kept so the
next update re-reads only what changed. Builds and updates read it; queries never do.

It is one SQLite file per generation (`manifest.sqlite`), read and written row by row, so at
two million files neither a build nor an update holds it in memory, and `index info` reads only
its small `meta` table. An update copies the live generation's file into its workspace and
changes the copy; the live one is opened only read-only and immutable (SQLite then writes no
lock or journal beside it), so it stays byte for byte what `generation.json` recorded. The
copy is published with the rest of the generation, atomically (see `store`).

Rows keep the order they were added in (SQLite's rowid): reports list files in walk order for
a build, and for an update the unchanged files first, then those read again.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imrsearch.engine.folder import MANIFEST
from imrsearch.errors import IndexMissing

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha1 TEXT NOT NULL,
    letter TEXT,
    duplicate_of TEXT,
    failure TEXT,
    format TEXT,
    decisions INTEGER,
    outcomes TEXT,
    warnings INTEGER,
    text_only TEXT
);
CREATE INDEX files_indexed ON files (letter) WHERE duplicate_of IS NULL;
"""
_COLUMNS = (
    "path, size, mtime_ns, sha1, letter, duplicate_of, failure, format, decisions, outcomes, "
    "warnings, text_only"
)


@dataclass
class Entry:
    """One archive file as the manifest holds it. `format` is set only for the file a letter
    is indexed from; a copy has `duplicate_of`, a file that could not be read `failure`."""

    path: str
    size: int
    mtime_ns: int
    sha1: str
    letter: str | None = None
    duplicate_of: str | None = None
    failure: str | None = None
    format: str | None = None
    decisions: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    text_only: str | None = None


@dataclass
class Totals:
    """What the indexed letters add up to, for the build report."""

    letters: int
    decisions: int
    warned: int  # letters with at least one warning
    formats: dict[str, int]
    outcomes: dict[str, int]


class Manifest:
    """The manifest of a generation being written (`create`, or `copy` of the live one)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    @classmethod
    def create(cls, path: Path) -> Manifest:
        manifest = cls(_connect(path))
        manifest.db.executescript(_TABLES)
        return manifest

    @classmethod
    def copy(cls, live: Path, path: Path) -> Manifest:
        """A writable copy of the live generation's manifest (which stays untouched)."""
        try:
            shutil.copyfile(live, path)
        except FileNotFoundError:
            raise IndexMissing(f"the index at {live.parent.parent} has no manifest") from None
        return cls(_connect(path))

    def put(self, entry: Entry) -> None:
        """Add a file's row (after `remove` of any row it had)."""
        self.db.execute(
            f"INSERT INTO files ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.path,
                entry.size,
                entry.mtime_ns,
                entry.sha1,
                entry.letter,
                entry.duplicate_of,
                _text(entry.failure),
                entry.format,
                entry.decisions,
                json.dumps(entry.outcomes) if entry.format else None,
                entry.warnings,
                _text(entry.text_only),
            ),
        )

    def fingerprints(self) -> Iterator[tuple[str, int, int, str, str | None]]:
        """Every file's (path, size, mtime_ns, sha1, duplicate_of), streamed."""
        yield from self.db.execute(
            "SELECT path, size, mtime_ns, sha1, duplicate_of FROM files ORDER BY rowid"
        )

    def touch(self, mtimes: Iterable[tuple[str, int]]) -> None:
        """New mtimes of files only touched (same size and hash)."""
        self.db.executemany(
            "UPDATE files SET mtime_ns = ? WHERE path = ?", ((m, p) for p, m in mtimes)
        )

    def remove(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in paths))

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    def indexed(self, letter: str) -> str | None:
        """The file this letter is indexed from, if any."""
        row = self.db.execute(
            "SELECT path FROM files WHERE letter = ? AND duplicate_of IS NULL", (letter,)
        ).fetchone()
        return row[0] if row else None

    def demote(self, old: str, new: str) -> None:
        """`old` was indexed and is now a copy of `new` (its own copies follow: `settle`)."""
        self.db.execute(
            "UPDATE files SET duplicate_of = ?, format = NULL, decisions = NULL, "
            "outcomes = NULL, warnings = NULL, text_only = NULL WHERE path = ?",
            (new, old),
        )

    def settle(self) -> None:
        """Every copy names the file its letter is indexed from, not a copy that was demoted."""
        copies = dict(
            self.db.execute(
                "SELECT path, duplicate_of FROM files WHERE duplicate_of IS NOT NULL"
            ).fetchall()
        )
        moved = []
        for path, first in copies.items():
            target, seen = first, {path}
            while target in copies and target not in seen:
                seen.add(target)
                target = copies[target]
            if target != first:
                moved.append((target, path))
        self.db.executemany("UPDATE files SET duplicate_of = ? WHERE path = ?", moved)

    def failures(self) -> Iterator[tuple[str, str]]:
        yield from self.db.execute(
            "SELECT path, failure FROM files WHERE failure IS NOT NULL ORDER BY rowid"
        )

    def text_only(self) -> Iterator[tuple[str, str]]:
        yield from self.db.execute(
            "SELECT path, text_only FROM files WHERE text_only IS NOT NULL ORDER BY rowid"
        )

    def duplicates(self) -> Iterator[tuple[str, str]]:
        yield from self.db.execute(
            "SELECT path, duplicate_of FROM files WHERE duplicate_of IS NOT NULL ORDER BY rowid"
        )

    def totals(self) -> Totals:
        """Sums over the indexed letters, computed by SQLite, not row by row in Python."""
        indexed = "FROM files WHERE format IS NOT NULL"
        letters, decisions, warned = self.db.execute(
            f"SELECT COUNT(*), TOTAL(decisions), TOTAL(warnings > 0) {indexed}"
        ).fetchone()
        formats = self.db.execute(f"SELECT format, COUNT(*) {indexed} GROUP BY format ORDER BY 1")
        outcomes = self.db.execute(
            "SELECT o.key, TOTAL(o.value) FROM files, json_each(files.outcomes) AS o "
            "WHERE files.format IS NOT NULL GROUP BY o.key ORDER BY 1"
        )
        return Totals(
            letters=letters,
            decisions=int(decisions),
            warned=int(warned),
            formats={f: n for f, n in formats},
            outcomes={o: int(n) for o, n in outcomes},
        )

    def finish(self, meta: dict[str, Any]) -> None:
        """Write the meta table (the archive, dates, report: JSON values) and close."""
        self.db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            ((key, json.dumps(value)) for key, value in meta.items()),
        )
        self.db.commit()
        self.close()

    def close(self) -> None:
        self.db.close()


def read_meta(generation: Path) -> dict[str, Any]:
    """The meta table of a published generation's manifest (not its file table)."""
    rows = _read(generation, "SELECT key, value FROM meta")
    return {key: json.loads(value) for key, value in rows}


def file_count(generation: Path) -> int:
    """How many files a published generation's manifest lists (indexed or not)."""
    return int(_read(generation, "SELECT count(*) FROM files")[0][0])


def _read(generation: Path, sql: str) -> list[Any]:
    path = generation / MANIFEST
    try:
        if not path.is_file():
            raise sqlite3.OperationalError("missing")
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    except (sqlite3.Error, ValueError) as exc:
        raise IndexMissing(
            f"the index at {generation.parent} is damaged: {MANIFEST}: {exc}"
        ) from None


def _connect(path: Path) -> sqlite3.Connection:
    """A connection for one writer of a workspace nobody else reads: no journal beside it (a
    failed build throws the whole workspace away) and no syncs (the publish syncs every file)."""
    db = sqlite3.connect(path, isolation_level="DEFERRED")
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -16384")  # 16 MiB of pages, whatever the archive size
    return db


def _text(value: str | None) -> str | None:
    """Free text as UTF-8 SQLite can store: a lone surrogate becomes its `\\udcxx` escape."""
    if value is None:
        return None
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
