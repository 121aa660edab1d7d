"""Opening an index maps its files: memory does not grow with the index, answers are unchanged,
and a query reads neither the manifest nor anything else it does not need."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine import mapped
from imrsearch.engine.folder import MANIFEST
from imrsearch.engine.store import IndexStore
from imrsearch.engine.writer import NewGeneration
from imrsearch.model import Letter

ROOT = Path(__file__).resolve().parents[2]
COPIES = 60  # of the bundled samples: about 3,000 decisions, an index of some 13 MiB


@pytest.fixture(scope="module")
def large_index(tmp_path_factory: pytest.TempPathFactory, parsed_samples: list[Letter]) -> Path:
    """The samples many times over, under new paths and case numbers (no parsing: fast); the
    last copies added by an update, so the index has two segments."""
    root = tmp_path_factory.mktemp("large-index")
    store = IndexStore(root)
    for copies, update in ((range(COPIES - 10), False), (range(COPIES - 10, COPIES), True)):
        with store.write_lock(), NewGeneration(store, update=update) as generation:
            for copy in copies:
                for number, letter in enumerate(parsed_samples):
                    generation.add(
                        dataclasses.replace(
                            letter,
                            path=f"/copies/{copy}/{number}-{Path(letter.path).name}",
                            case_number=f"CM{copy:02d}-{number:07d}",
                        )
                    )
            generation.publish({"archive": "/copies", "files": {}, "report": {}})
    assert len(list(IndexStore(root).require_live().glob("*.seg"))) == 2
    return root


_MEASURE = """
import json, sys
from pathlib import Path
from imrsearch import api
import imrsearch.engine.checked  # Whoosh and the engine: imported before measuring

def memory():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {k: int(fields[k].split()[0]) * 1024 for k in ("VmRSS", "RssAnon")}

before = memory()
with api.open_searcher(Path(sys.argv[1])) as searcher:
    result = searcher.search(sys.argv[2], limit=20, facets=("outcome", "year"))
    after = memory()
print(json.dumps({"total": result.total, "before": before, "after": after}))
"""


def _measure(index: Path, query: str) -> dict:
    """Memory of a fresh process before opening `index` and after one query on it."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(index), query],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return json.loads(done.stdout)


def _index_bytes(index: Path) -> int:
    return sum(p.stat().st_size for p in IndexStore(index).require_live().iterdir())


def test_open_and_query_cost_no_more_memory_on_a_larger_index(
    large_index: Path, samples_index: Path
) -> None:
    size = _index_bytes(large_index)
    assert size > 10 * _index_bytes(samples_index)
    query = '"medically necessary" OR drug:valium'
    small, large = _measure(samples_index, query), _measure(large_index, query)
    assert large["total"] > 30 * small["total"] > 0
    # A copy on open grows the process by the index's size; mapped, it holds its results and
    # the pages the query read (file pages, which the kernel can drop), whatever the size.
    for kind, share in (("RssAnon", 8), ("VmRSS", 4)):
        grown = [m["after"][kind] - m["before"][kind] for m in (small, large)]
        assert grown[1] - grown[0] < size / share, (kind, grown, size)


_OPENS = """
import json, sys
from pathlib import Path
opened = []
sys.addaudithook(lambda event, args: event == "open" and opened.append(str(args[0])))
from imrsearch import api
with api.open_searcher(Path(sys.argv[1])) as searcher:
    searcher.search("drug:valium", limit=5)
print(json.dumps(opened))
"""


def test_a_query_never_reads_the_manifest(samples_index: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _OPENS, str(samples_index)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    generation = IndexStore(samples_index).require_live()
    read = {Path(p).name for p in json.loads(done.stdout) if Path(p).parent == generation}
    assert "generation.json" in read  # the check before Whoosh reads the index: it ran
    assert MANIFEST not in read
    assert (generation / MANIFEST).is_file()


def test_answers_equal_whooshs_own_storage(large_index: Path, monkeypatch) -> None:
    """The same totals, hits and facets as Whoosh's copying storage, on a multi-segment index."""
    from whoosh.filedb.filestore import FileStorage

    queries = ('"not medically necessary"', "drug:valium outcome:upheld", "modif*", "opiod~")
    with api.open_searcher(large_index) as searcher:
        mapped_answers = [searcher.search(q, limit=50, facets=("year", "drug")) for q in queries]
    monkeypatch.setattr(
        "imrsearch.engine.search.MappedStorage", lambda path, _: FileStorage(path, readonly=True)
    )
    with api.open_searcher(large_index) as searcher:
        copied_answers = [searcher.search(q, limit=50, facets=("year", "drug")) for q in queries]
    for ours, theirs in zip(mapped_answers, copied_answers, strict=True):
        assert ours.total == theirs.total and ours.total > 0
        assert [(h.path, h.item, h.score) for h in ours.hits] == [
            (h.path, h.item, h.score) for h in theirs.hits
        ]
        assert ours.facets == theirs.facets


def test_a_window_reads_only_its_own_bytes() -> None:
    data = b"header\nline one\nline two\ntrailer"
    checkpoint = mapped.Checkpoint()
    whole = mapped.MappedFile(data, 0, len(data), checkpoint)
    window = whole.subset(7, 18)  # "line one\nline two\n"
    assert window.read(4) == b"line"
    assert window.tell() == 4
    assert window.readline() == b" one\n"
    assert window.read() == b"line two\n"
    assert window.read(5) == b""
    assert window.get(5, 100) == b"one\nline two\n"
    window.seek(-4, 2)
    assert window.read() == b"two\n"
    with pytest.raises(ValueError):
        window.seek(-1)


def test_every_read_passes_the_checkpoint() -> None:
    checkpoint = mapped.Checkpoint()
    window = mapped.MappedFile(b"0123456789", 2, 8, checkpoint)
    calls: list[str] = []
    checkpoint.check = lambda: calls.append("checked")
    assert window.read(2) == b"23"
    assert window.get(3, 2) == b"56"
    assert calls == ["checked", "checked"]

    def stop() -> None:
        raise RuntimeError("stop")

    checkpoint.check = stop
    for read in (lambda: window.read(1), lambda: window.get(0, 1), window.read_int):
        with pytest.raises(RuntimeError, match="stop"):
            read()
