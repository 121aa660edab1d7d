"""Saved searches: a name, a query and the options it runs with, kept per index in
`saved-searches.json` beside the generations (so a rebuild keeps them), readable and editable
by hand.

    {"format": "imrsearch-saved-searches", "version": 1,
     "searches": [{"name": "valium taper", "query": "drug:valium tapering",
                   "options": {"sort": "date"}, "added": "2024-05-01T09:00:00+00:00"}]}

The file is checked whole on every load, and an error names the file (and the line, for JSON
that does not parse). Changes are made under the index's write lock (one writer: two `saved
add`s at once must not lose one) and written whole under a temporary folder recorded in the
index's journal, then renamed over the old file: a kill leaves the old file or the new one,
and the next build removes the leftover folder because the journal names it (see `folder`).
"""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from imrsearch.engine import folder
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError
from imrsearch.model import SavedSearch

FILE = "saved-searches.json"
FORMAT = "imrsearch-saved-searches"
VERSION = 1
NAME_MAX = 80
QUERY_MAX = 4000
SEARCHES_MAX = 1000
_FILE_MAX = 2 * 2**20
# The options of `query` a saved search keeps: what it finds and how it is ordered and counted;
# output formats (--json, --csv, --cite) are chosen per run.
OPTIONS: dict[str, type] = {
    "sort": str,
    "limit": int,
    "all": bool,
    "facet": str,
    "facet_limit": int,
}
SORTS = ("relevance", "date")
# Seconds `saved add` and `saved remove` wait for a running build or update.
LOCK_WAIT = 10.0


def check_name(name: str) -> str:
    """`name` if it is a usable name; else an ImrError that says why."""
    if not name.strip():
        raise ImrError("a saved search needs a name", hint="for example: valium-taper")
    if len(name) > NAME_MAX:
        raise ImrError(
            f"a saved search's name is at most {NAME_MAX} characters ({len(name)} given)"
        )
    bad = next((c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if bad is not None:
        raise ImrError(
            f"a saved search's name cannot hold the control character U+{ord(bad):04X}",
            hint="use letters, digits, spaces and punctuation",
        )
    if name != name.strip():
        raise ImrError("a saved search's name cannot start or end with a space")
    return name


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options, checked: only those a saved search keeps, each of its type."""
    for key, value in options.items():
        kind = OPTIONS.get(key)
        if kind is None:
            raise ImrError(f"unknown option '{key}'", hint="options: " + ", ".join(OPTIONS))
        if type(value) is not kind:
            raise ImrError(f"option '{key}' must be a {kind.__name__}, not {value!r}")
        if key == "sort" and value not in SORTS:
            raise ImrError(f"option 'sort' must be one of {', '.join(SORTS)}, not {value!r}")
        if key in ("limit", "facet_limit") and isinstance(value, int) and value < 1:
            raise ImrError(f"option '{key}' must be at least 1, not {value}")
    return dict(options)


def load(root: Path) -> list[SavedSearch]:
    """The saved searches of the index at `root` ([] if it has none), checked."""
    path = root / FILE
    try:
        st = path.lstat()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise _broken(path, f"cannot read it: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _broken(path, "it is not a regular file")
    if st.st_size > _FILE_MAX:
        raise _broken(path, f"{st.st_size:,} bytes, far too large")
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise _broken(path, f"cannot read it: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise _broken(path, "it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _broken(path, f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return _searches(path, data)


def _searches(path: Path, data: Any) -> list[SavedSearch]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _broken(path, f'it is not a saved-searches file (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise _broken(path, f"version {data.get('version')!r}: this imrsearch reads {VERSION}")
    entries = data.get("searches")
    if not isinstance(entries, list):
        raise _broken(path, '"searches" must be a list')
    if len(entries) > SEARCHES_MAX:
        raise _broken(path, f"{len(entries):,} searches, more than {SEARCHES_MAX:,}")
    found: list[SavedSearch] = []
    names: set[str] = set()
    for n, entry in enumerate(entries):
        where = f"searches[{n}]"
        if not isinstance(entry, dict):
            raise _broken(path, f"{where} must be an object")
        name, query = entry.get("name"), entry.get("query")
        options, added = entry.get("options", {}), entry.get("added", "")
        if not isinstance(name, str) or not isinstance(query, str):
            raise _broken(path, f'{where} needs a "name" and a "query", both text')
        if not isinstance(options, dict) or not isinstance(added, str):
            raise _broken(path, f'{where}: "options" must be an object, "added" text')
        try:
            check_name(name)
            check_query(query)
            check_options(options)
        except ImrError as exc:
            raise _broken(path, f"{where}: {exc.message}") from None
        if name in names:
            raise _broken(path, f"{where}: the name {name!r} is used twice")
        names.add(name)
        found.append(SavedSearch(name, query, options, added[:40]))
    return found


def check_query(query: str) -> str:
    if not query.strip():
        raise ImrError("a saved search needs a query")
    if len(query) > QUERY_MAX:
        raise ImrError(f"a saved query is at most {QUERY_MAX:,} characters ({len(query):,} given)")
    if "\0" in query:
        raise ImrError("a saved query cannot hold a NUL character")
    return query


def find(root: Path, name: str) -> SavedSearch:
    for search in load(root):
        if search.name == name:
            return search
    raise ImrError(f"no saved search named {name!r}", hint="list them with: imrsearch saved list")


def add(store: IndexStore, search: SavedSearch, replace: bool = False) -> SavedSearch:
    """Save `search` (checked); an existing name is an error unless `replace`."""
    check_name(search.name)
    check_query(search.query)
    check_options(search.options)
    added = datetime.now(timezone.utc).isoformat(timespec="seconds")
    search = SavedSearch(search.name, search.query, dict(search.options), added)
    with store.write_lock(wait=LOCK_WAIT):
        searches = load(store.root)
        if any(s.name == search.name for s in searches) and not replace:
            raise ImrError(
                f"a saved search named {search.name!r} exists",
                hint="choose another name, or add --replace to change it",
            )
        if len(searches) >= SEARCHES_MAX and not replace:
            raise ImrError(f"an index keeps at most {SEARCHES_MAX:,} saved searches")
        kept = [s for s in searches if s.name != search.name]
        _write(store.root, [*kept, search])
    return search


def remove(store: IndexStore, name: str) -> SavedSearch:
    with store.write_lock(wait=LOCK_WAIT):
        gone = find(store.root, name)
        _write(store.root, [s for s in load(store.root) if s.name != name])
    return gone


def _write(root: Path, searches: list[SavedSearch]) -> None:
    """The whole file under a recorded temporary folder, then renamed over the old one."""
    data = {"format": FORMAT, "version": VERSION, "searches": [s.to_dict() for s in searches]}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    work = IndexStore(root).new_workspace()
    try:
        folder.write_synced(work / FILE, text)
        os.replace(work / FILE, root / FILE)
        folder.fsync_dir(root)
    except OSError as exc:
        raise ImrError(
            f"cannot write the saved searches ({exc.strerror}): {root / FILE}",
            hint="the saved searches are as they were",
        ) from None
    finally:
        folder.remove_dir(work)
    folder.rewrite_journal(root)


def _broken(path: Path, why: str) -> ImrError:
    return ImrError(
        f"the saved searches in {path} cannot be read: {why}",
        hint="fix or move that file (it is plain JSON); the index itself is fine",
    )
