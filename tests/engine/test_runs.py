"""The writer's posting pool: runs spilled to disk come back complete and in order."""

from __future__ import annotations

import random
from pathlib import Path

from whoosh import writing
from whoosh.filedb.filestore import FileStorage

from imrsearch.engine import writer


def _postings(count: int) -> list[tuple]:
    """Postings as a segment writer adds them: a field, term and document at most once."""
    rng = random.Random(7)
    keys = rng.sample(range(3 * 300 * 10_000), count)
    return [
        (
            ("body", "rationale", "path")[key % 3],
            f"w{key // 3 % 300}".encode(),
            key // 900,
            rng.choice((1.0, 2.5, 3)),
            rng.choice((None, b"", bytes(rng.randrange(256) for _ in range(rng.randrange(9))))),
        )
        for key in keys
    ]


def test_every_segment_writer_uses_the_batched_pool() -> None:
    assert writing.PostingPool is writer._BatchedRunPool


def test_spilled_runs_give_back_every_posting_in_order(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path)).create()
    pool = writing.PostingPool(storage, None, limitmb=1)
    items = _postings(3 * writer._RUN_BATCH + 17)
    pool.limit = 40_000  # spill many runs, each of several batches and a short last one
    for item in items:
        pool.add(item)
    assert len(pool.runs) > 3
    merged = list(pool.items())
    assert merged == sorted(items)
    assert all(isinstance(item, tuple) for item in merged)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".run")]  # runs removed
