"""The manifest: one SQLite file per generation, changed only in a new generation's copy."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine import integrity
from imrsearch.engine.folder import MANIFEST
from imrsearch.engine.manifest import read_meta
from imrsearch.engine.schema import SCHEMA_VERSION
from imrsearch.engine.store import IndexStore
from imrsearch.errors import IndexMissing

SAMPLES = api.samples_dir()


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    shutil.copytree(SAMPLES, root)
    return root


def _rows(generation: Path) -> dict[str, tuple]:
    db = sqlite3.connect(f"{(generation / MANIFEST).as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        rows = db.execute("SELECT path, mtime_ns, duplicate_of, format FROM files").fetchall()
    finally:
        db.close()
    return {path: rest for path, *rest in rows}


def test_each_generation_has_its_own_manifest_recorded_for_integrity(
    archive: Path, tmp_path: Path
) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    first = IndexStore(index).require_live()
    before = (first / MANIFEST).read_bytes()
    touched = next(archive.glob("*.txt"))
    os.utime(touched, ns=(1, 123_456_789))  # a new mtime, the same content
    (archive / "added.txt").write_text("not a letter\n")
    api.update(archive, index, workers=1)
    second = IndexStore(index).require_live()
    assert second != first
    # The live generation's manifest was read, never written: same bytes, nothing beside it.
    assert (first / MANIFEST).read_bytes() == before
    assert sorted(p.name for p in first.iterdir() if "manifest" in p.name) == [MANIFEST]
    assert MANIFEST in integrity.listed(second) and not (second / "manifest.json").exists()
    rows = _rows(second)
    assert rows[str(touched)][0] == 123_456_789  # refreshed, so the next update does not hash it
    assert str(archive / "added.txt") in rows and str(archive / "added.txt") not in _rows(first)
    assert api.update(archive, index, workers=1).added == 0


def test_the_report_adds_up_the_rows(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    shutil.copy(next(archive.glob("*.txt")), archive / "copy.txt")
    report = api.build(archive, index, workers=1)
    meta = read_meta(IndexStore(index).require_live())
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["report"]["letters"] == report.letters == 15
    assert sum(report.outcomes.values()) == report.decisions == meta["report"]["decisions"]
    assert [d.path for d in report.duplicates] == [str(archive / "copy.txt")]
    rows = _rows(IndexStore(index).require_live())
    assert sum(1 for _, duplicate_of, fmt in rows.values() if fmt) == 15
    assert rows[str(archive / "copy.txt")][1] in rows


def test_a_damaged_manifest_is_reported_as_damage(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    live = IndexStore(index).require_live()
    path = live / MANIFEST
    os.chmod(path, 0o644)
    path.write_bytes(b"not sqlite" * 100)
    with pytest.raises(IndexMissing, match="damaged"):
        read_meta(live)


def test_an_index_of_the_previous_format_is_refused_with_a_rebuild_hint(
    archive: Path, tmp_path: Path
) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    live = IndexStore(index).require_live()
    record = live / integrity.GENERATION_FILE
    data = json.loads(record.read_text())
    data["index_schema"] = SCHEMA_VERSION - 1
    os.chmod(record, 0o644)
    record.write_text(json.dumps(data))
    with pytest.raises(IndexMissing, match="another version") as raised:
        api.update(archive, index, workers=1)
    assert "rebuild it with: imrsearch index build" in (raised.value.hint or "")
