"""The writer processes of a sharded build: a process that fails or dies stops the build with
a message and publishes nothing; memory per process is divided among the shards it writes.

(That their index answers as one written in a single process does is in test_shards.py.)
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from imrsearch.engine import shard_writers
from imrsearch.engine.documents import letter_documents
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore
from imrsearch.engine.writer import NewGeneration
from imrsearch.errors import ImrError
from imrsearch.ingest.archive import load_letter
from imrsearch.model import Letter

DATA = Path(__file__).resolve().parents[1] / "data" / "corpus"


def _letters() -> list[Letter]:
    return [load_letter(p)[0] for p in sorted(DATA.rglob("*.pdf"))[:12]]


def _build(store: IndexStore, letters: list[Letter]) -> None:
    with store.write_lock(), NewGeneration(store, update=False, parallel=True, sharded=True) as g:
        assert g.shards is not None
        g.shards.processes = 2  # whatever the machine's cores
        for letter in letters:
            g.add(letter)
        g.publish({"archive": "x", "report": {}})


def _failing_on(last: str, failure: str):
    def documents(letter: Letter) -> list:
        if letter.path == last:
            if failure == "die":
                os._exit(3)  # as if killed: no word from the process
            if failure == "disk":
                raise OSError(28, "No space left on device", "Y2017_x.seg")
            raise ValueError("a letter the writer could not take")
        return letter_documents(letter)

    return documents


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ("raise", "a writer process failed: ValueError: a letter the writer could not take"),
        ("die", "1 writer process\\(es\\) ended without finishing their letters"),
        ("disk", "could not write the new index: No space left on device \\(Y2017_x.seg\\)"),
    ],
)
def test_a_failed_writer_process_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str, message: str
) -> None:
    letters = _letters()
    monkeypatch.setattr(shard_writers, "letter_documents", _failing_on(letters[-1].path, failure))
    store = IndexStore(tmp_path / "ix")
    with pytest.raises(ImrError, match=message):
        _build(store, letters)
    assert store.pointer() is None  # nothing published
    assert not multiprocessing.active_children()  # none left behind


def test_the_writers_hold_every_letter(tmp_path: Path) -> None:
    letters = _letters()
    store = IndexStore(tmp_path / "ix")
    _build(store, letters)
    with Searcher(store) as searcher:
        found = searcher.search("outcome:upheld OR outcome:overturned", limit=None)
        assert found.total == sum(len(x.decisions) for x in letters)
        assert {h.path for h in found.hits} == {x.path for x in letters if x.decisions}


def test_posting_memory_is_divided_among_the_shards(tmp_path: Path) -> None:
    """A process writing many years holds no more postings in memory than one writing one."""
    from whoosh.filedb.filestore import FileStorage

    from imrsearch.engine.schema import build_schema

    storage = FileStorage(str(tmp_path))
    letters = _letters()
    writers = shard_writers._SegmentWriters(storage)
    for i, name in enumerate(("Y2015", "Y2016", "Y2017")):
        storage.create_index(build_schema(), name)
        writers.add(name, letters[i])
        limits = {w.pool.limit for w in writers.writers.values()}
        assert limits == {shard_writers._PROCESS_MB * 1024 * 1024 // (i + 1)}
    writers.cancel()


def test_an_update_that_only_deletes_starts_no_writer_process(tmp_path: Path) -> None:
    letters = _letters()
    store = IndexStore(tmp_path / "ix")
    _build(store, letters)
    with store.write_lock(), NewGeneration(store, update=True, sharded=True) as generation:
        generation.write_in_parallel()
        generation.delete([letters[0].path])
        assert generation.shards is not None and generation.shards.pool is None
        generation.publish({"archive": "x", "report": {}})
    with Searcher(store) as searcher:
        with pytest.raises(ImrError, match="no letter with"):
            searcher.letter(letters[0].path)
        assert searcher.letter(letters[1].path) == letters[1]


def test_an_update_adds_one_segment_per_shard(tmp_path: Path) -> None:
    """An update's writer processes each take whole shards: a segment per shard written,
    not one per process (every segment costs each search a little)."""
    from whoosh.filedb.filestore import FileStorage

    from imrsearch.engine import shards

    letters = [load_letter(p)[0] for p in sorted(DATA.rglob("*.pdf"))]
    store = IndexStore(tmp_path / "ix")
    _build(store, letters)

    def segments() -> dict[str, int]:
        live = store.require_live()
        storage = FileStorage(str(live))
        return {n: len(storage.open_index(n)._segments()) for n in shards.names(live)}

    before = segments()
    assert len(before) >= 2 and max(before.values()) == 2  # the build: one per process
    with store.write_lock(), NewGeneration(store, update=True, sharded=True) as generation:
        assert generation.shards is not None
        generation.shards.processes = 2
        for letter in letters:  # letters of every shard, in 5 batches
            generation.add(letter)
        generation.publish({"archive": "x", "report": {}})
    assert segments() == {name: count + 1 for name, count in before.items()}
