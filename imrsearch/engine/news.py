"""What each saved search matched, recorded in every generation, so an update can say what is new.

A build or update calls `record` on its new generation after Whoosh has committed it and before
it is published: every saved search runs against the new index, and `saved-matches.sqlite`
(inside the generation, so published with it atomically and checked with its other files)
holds, per search, each matching decision's key and when it first matched. The first time is
carried forward from the previous generation's record; a search with no record there (added
since) is first run against the previous generation, so what it already matched is not new.
A decision whose letter leaves the archive drops out of the record; if it comes back, it is new
again. Keys are the case number (the file's path for a letter that prints none) and the item
number: stable across rebuilds, unlike Whoosh's document numbers. Keys stream into SQLite, so
memory stays bounded however many decisions match.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from whoosh import query as wq

from imrsearch.engine import integrity, saved
from imrsearch.engine.checked import CheckedSearcher
from imrsearch.engine.limits import Budget
from imrsearch.engine.manifest import read_meta
from imrsearch.engine.mapped import Checkpoint
from imrsearch.engine.schema import KIND_LETTER, SCHEMA_VERSION
from imrsearch.engine.search import SEARCH_SECONDS, Searcher
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError
from imrsearch.model import SavedNews

FILE = "saved-matches.sqlite"
_SCHEMA = """
CREATE TABLE meta (stamp TEXT NOT NULL, previous TEXT);
CREATE TABLE searches (name TEXT PRIMARY KEY, query TEXT NOT NULL, matched INTEGER,
                       new INTEGER, error TEXT);
CREATE TABLE matches (search TEXT NOT NULL, key TEXT NOT NULL, doc_id TEXT NOT NULL,
                      first_seen TEXT, PRIMARY KEY (search, key)) WITHOUT ROWID;
"""


def decision_key(case: str | None, path: str, item: int | None) -> str:
    """A decision's key: case number (lower case, as indexed) or path, and item number."""
    return f"{(case or '').lower() or path}#{'letter' if item is None else item}"


class _Generation(Searcher):
    """A searcher over one generation's folder, published or not (the new one, before it is)."""

    def __init__(self, generation: Path) -> None:
        self.time_limit = SEARCH_SECONDS
        self._checkpoint = Checkpoint()
        self._budget = Budget(self.time_limit)
        self._open(generation)

    def matches(self, query: str) -> Iterator[tuple[str, str]]:
        """(key, doc_id) of every hit of `query`, in document order."""
        with self._limited(None):  # each saved search gets the time limit of a search
            found = self._run(query, "relevance", None)
        for docnum in sorted(found.docs):
            fields = self._searcher.stored_fields(docnum)
            item = None if fields["kind"] == KIND_LETTER else fields["number"]
            yield decision_key(fields.get("case"), fields["path"], item), fields["doc_id"]


def record(work: Path, store: IndexStore) -> None:
    """Write the new generation's record of what each saved search matches (see above)."""
    with contextlib.suppress(FileNotFoundError):
        (work / FILE).unlink()  # an update's clone links the previous record: never write it
    try:
        searches = saved.load(store.root)
    except ImrError:
        return  # a damaged saved-searches file must not stop the index being updated
    if not searches:
        return
    try:
        _record(work, store, searches)
    except sqlite3.Error as exc:
        raise ImrError(
            f"could not record what the saved searches match: {exc}",
            hint="the previous index is unchanged; run the update again",
        ) from None


def _record(work: Path, store: IndexStore, searches: list[saved.SavedSearch]) -> None:
    previous = store.live()
    db = sqlite3.connect(_uri(work / FILE, "rwc"), uri=True)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # an unpublished workspace is thrown away whole
        db.executescript(_SCHEMA)
        prior = _attach_previous(db, previous)
        stamp = _stamp(prior)
        db.execute("INSERT INTO meta VALUES (?, ?)", (stamp, prior))
        new_ix = _Generation(work)
        old_ix = _searchable(previous)
        try:
            for search in searches:
                _record_one(db, search, stamp, new_ix, old_ix, prior)
        finally:
            new_ix.close()
            if old_ix is not None:
                old_ix.close()
        db.commit()
    finally:
        db.close()


def _stamp(prior: str | None) -> str:
    """Now (UTC, to the microsecond), and always after the previous record's time: what is
    new is told apart by it, even for two updates within one tick of a wrong clock."""
    now = datetime.now(timezone.utc)
    with contextlib.suppress(ValueError, TypeError):
        earlier = datetime.fromisoformat(prior or "")
        if earlier.tzinfo is not None and now <= earlier:
            now = earlier + timedelta(microseconds=1)
    return now.isoformat(timespec="microseconds")


def _attach_previous(db: sqlite3.Connection, previous: Path | None) -> str | None:
    """Attach the previous generation's record as `prev` (read only); its stamp, or None when
    there is none to compare with."""
    db.execute("CREATE TEMP TABLE base (key TEXT PRIMARY KEY, first_seen TEXT) WITHOUT ROWID")
    if previous is None:
        return None
    if (previous / FILE).is_file():
        db.execute("ATTACH DATABASE ? AS prev", (_uri(previous / FILE),))
        return str(db.execute("SELECT stamp FROM prev.meta").fetchone()[0])
    with contextlib.suppress(ImrError, KeyError):
        return str(read_meta(previous)["updated_at"])
    return None


def _searchable(previous: Path | None) -> _Generation | None:
    """The previous generation, if this version can search it (same schema, files intact)."""
    if previous is None:
        return None
    found = integrity.check(previous, full=False)
    if found.problems or found.unsafe or found.index_schema != SCHEMA_VERSION:
        return None
    return _Generation(previous)


def _record_one(
    db: sqlite3.Connection,
    search: saved.SavedSearch,
    stamp: str,
    new_ix: _Generation,
    old_ix: _Generation | None,
    prior: str | None,
) -> None:
    """One search's matches in the new generation, each with when it first matched."""
    db.execute("DELETE FROM base")
    compared = _fill_base(db, search, old_ix, prior)
    try:
        db.executemany(
            "INSERT OR IGNORE INTO matches VALUES (?, ?, ?, NULL)",
            ((search.name, key, doc_id) for key, doc_id in new_ix.matches(search.query)),
        )
    except ImrError as exc:  # a query this version refuses, or one past its time limit
        db.execute("DELETE FROM matches WHERE search = ?", (search.name,))
        db.execute(
            "INSERT INTO searches VALUES (?, ?, NULL, NULL, ?)",
            (search.name, search.query, exc.message),
        )
        return
    if compared:
        db.execute(
            "UPDATE matches SET first_seen = COALESCE("
            "(SELECT first_seen FROM base WHERE base.key = matches.key), ?) WHERE search = ?",
            (stamp, search.name),
        )
    matched, new = db.execute(
        "SELECT COUNT(*), SUM(first_seen = ?) FROM matches WHERE search = ?",
        (stamp, search.name),
    ).fetchone()
    db.execute(
        "INSERT INTO searches VALUES (?, ?, ?, ?, NULL)",
        (search.name, search.query, matched, (new or 0) if compared else None),
    )


def _fill_base(
    db: sqlite3.Connection, search: saved.SavedSearch, old_ix: _Generation | None, prior: str | None
) -> bool:
    """What the search matched before this run, into `base`; whether there was anything to
    compare with (a previous record of the same query, or a previous index to run it on)."""
    if prior is None:
        return False
    attached = any(row[1] == "prev" for row in db.execute("PRAGMA database_list"))
    if attached:
        row = db.execute(
            "SELECT query, error FROM prev.searches WHERE name = ?", (search.name,)
        ).fetchone()
        if row is not None and row[0] == search.query and row[1] is None:
            db.execute(
                "INSERT INTO base SELECT key, COALESCE(first_seen, ?) FROM prev.matches "
                "WHERE search = ?",
                (prior, search.name),
            )
            return True
    if old_ix is None:
        return False
    try:
        db.executemany(
            "INSERT OR IGNORE INTO base VALUES (?, ?)",
            ((key, prior) for key, _ in old_ix.matches(search.query)),
        )
    except ImrError:
        db.execute("DELETE FROM base")
        return False
    return True


# ---- reading the live generation's record ------------------------------------------------


def _open_record(generation: Path) -> sqlite3.Connection | None:
    if not (generation / FILE).is_file():
        return None
    return sqlite3.connect(_uri(generation / FILE), uri=True)


def _uri(path: Path, mode: str = "ro") -> str:
    """A published generation never changes: read it as immutable (no locks, no journal)."""
    extra = "&immutable=1" if mode == "ro" else ""
    return f"file:{quote(str(path))}?mode={mode}{extra}"


def summary(generation: Path) -> list[SavedNews]:
    """Per saved search, what the generation's record says: matches, new ones, any error."""
    db = _open_record(generation)
    if db is None:
        return []
    try:
        (stamp,) = db.execute("SELECT stamp FROM meta").fetchone()
        rows = db.execute("SELECT name, query, matched, new, error FROM searches ORDER BY name")
        return [SavedNews(n, q, m, new, e, stamp) for n, q, m, new, e in rows]
    finally:
        db.close()


def new_doc_ids(generation: Path, search: saved.SavedSearch, since: date | None) -> list[str]:
    """The documents of `search`'s matches that are new: first matched in the last build or
    update, or on or after `since`. An error if the record does not cover this query."""
    db = _open_record(generation)
    try:
        row = None
        if db is not None:
            row = db.execute(
                "SELECT query, error FROM searches WHERE name = ?", (search.name,)
            ).fetchone()
        if db is None or row is None or row[0] != search.query:
            raise ImrError(
                f"nothing is recorded yet for the saved search {search.name!r} as it is now",
                hint="what a saved search matches is recorded by each `imrsearch index update`"
                " (and build): run one, then ask again",
            )
        if row[1] is not None:
            raise ImrError(f"the saved search {search.name!r} failed at the last update: {row[1]}")
        if since is None:
            (stamp,) = db.execute("SELECT stamp FROM meta").fetchone()
            where, value = "first_seen = ?", stamp
        else:
            where, value = "substr(first_seen, 1, 10) >= ?", since.isoformat()
        found = db.execute(
            f"SELECT doc_id FROM matches WHERE search = ? AND {where}", (search.name, value)
        )
        return [doc_id for (doc_id,) in found]
    finally:
        if db is not None:
            db.close()


class NewSearcher(CheckedSearcher):
    """The live index, answering only with a saved search's new matches: the same results,
    counts and facets as `query`, restricted to those documents."""

    def __init__(self, store: IndexStore, search: saved.SavedSearch, since: date | None) -> None:
        self._saved, self._since = search, since
        super().__init__(store)

    def _open(self, generation: Path) -> None:
        super()._open(generation)
        ids = new_doc_ids(generation, self._saved, self._since)
        self._only: wq.Query = wq.Or([wq.Term("doc_id", d) for d in ids]) if ids else wq.NullQuery

    def parse(self, text: str) -> wq.Query:
        return wq.And([super().parse(text), self._only])
