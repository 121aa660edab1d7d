"""A search shared with worker processes (`engine.parallel`) answers exactly as one process
does; a cancelled search frees them at once; a worker that fails or dies fails the search with
a message, and the next search is whole again."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imrsearch import api
from imrsearch.engine import mapped, parallel, search
from imrsearch.engine.limits import SearchCancelled
from imrsearch.engine.parallel import shares
from imrsearch.engine.search import FACET_NAMES, Searcher
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError
from tests.engine.test_bulk import QUERIES

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


@given(st.lists(st.integers(0, 10_000), max_size=30), st.integers(1, 4))
def test_shares_hold_every_segment_once_and_balance_the_sizes(sizes: list[int], parts: int) -> None:
    groups = shares(sizes, parts)
    assert len(groups) == parts
    assert sorted(p for g in groups for p in g) == list(range(len(sizes)))
    held = [sum(sizes[p] for p in g) for g in groups]
    assert max(held) - min(held) <= max(sizes, default=0)  # greedy, largest first


@pytest.fixture(scope="module", params=["spawn", "fork"])
def pair(
    changed_index: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Searcher, Searcher]]:
    """(one process, with a worker: started afresh as the TUI's are, or forked with the index
    open as a command's would be), every search shared however small the index."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARED_FROM", 0)
        store = IndexStore(changed_index)
        fork = request.param == "fork"
        with Searcher(store) as one, Searcher(store, workers=1, fork=fork) as shared:
            assert len(shared._sizes) >= 2  # shards: segments to share
            yield one, shared


def _answer(searcher: Searcher, text: str) -> tuple:
    found = searcher.search(text, limit=None, facets=FACET_NAMES, facet_limit=50)
    hits = [(h.path, h.item, h.score) for h in found.hits]
    return found.total, hits, found.facets, found.whole_letters


@pytest.mark.parametrize("text", QUERIES)
def test_answers_equal_one_process(pair: tuple[Searcher, Searcher], text: str) -> None:
    one, shared = pair
    assert _answer(shared, text) == _answer(one, text)


def test_the_worker_read_its_share(pair: tuple[Searcher, Searcher]) -> None:
    """The worker answered (not this process alone): it was started and is still there."""
    _one, shared = pair
    shared.search("medically", limit=1)
    assert shared._workers is not None
    worker = shared._workers.workers[0]
    assert worker is not None and worker.process.is_alive()


def test_a_search_stopped_here_leaves_no_answer_behind(pair: tuple[Searcher, Searcher]) -> None:
    """The worker answers while this process's share is cancelled: the next search gets its
    own answer, not that one."""
    one, shared = pair
    cancel = threading.Event()

    def stopped_here(mine: list[int]) -> dict[int, float]:
        time.sleep(0.3)  # the worker answers meanwhile
        cancel.set()
        raise SearchCancelled("the search was cancelled")

    workers = shared._workers
    assert workers is not None
    with pytest.raises(SearchCancelled):
        workers.scores(shared.generation, "medically", shared._sizes, stopped_here, lambda: None)
    assert workers.current.value == 0  # the workers are told to stop
    assert _answer(shared, "drug:valium") == _answer(one, "drug:valium")


def test_a_worker_stops_at_its_next_read_when_told(
    changed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's search (here in a thread, reads slowed) ends at once with a "stopped" answer
    when the search it runs is no longer the current one."""
    mine, theirs = multiprocessing.Pipe()
    current = multiprocessing.Value("q", 6, lock=False)
    generation = IndexStore(changed_index).require_live()
    serving = threading.Thread(target=parallel._serve, args=(theirs, str(changed_index), current))
    serving.start()
    mine.send((6, str(generation), "medically", [0, 1, 2], 30.0))  # opens the index, at full speed
    assert mine.recv()[:2] == (6, None)
    read = mapped.MappedFile.get
    monkeypatch.setattr(mapped.MappedFile, "get", lambda *a: (time.sleep(0.02), read(*a))[1])
    current.value = 7
    mine.send((7, str(generation), "medically", [0, 1, 2], 30.0))
    time.sleep(0.5)
    current.value = 0
    started = time.perf_counter()
    assert mine.poll(1.0)
    assert mine.recv()[:2] == (7, "stopped")
    assert time.perf_counter() - started < 1.0
    mine.close()
    serving.join(5)
    assert not serving.is_alive()  # the connection closed: the worker ends


def test_a_worker_that_dies_mid_search_fails_it(pair: tuple[Searcher, Searcher]) -> None:
    one, shared = pair
    workers = shared._workers
    assert workers is not None

    def killing(mine: list[int]) -> dict[int, float]:
        worker = workers.workers[0]
        assert worker is not None
        worker.process.kill()
        return {}

    with pytest.raises(ImrError, match="a search process ended before it answered"):
        workers.scores(shared.generation, "medically", shared._sizes, killing, lambda: None)
    # the next search starts another and is whole
    assert _answer(shared, "medically") == _answer(one, "medically")


def test_a_worker_that_died_between_searches_is_replaced(pair: tuple[Searcher, Searcher]) -> None:
    one, shared = pair
    shared.search("medically", limit=1)
    assert shared._workers is not None
    dead = shared._workers.workers[0]
    assert dead is not None
    dead.process.kill()
    dead.process.join()
    assert _answer(shared, "outcome:upheld") == _answer(one, "outcome:upheld")
    assert shared._workers.workers[0] is not dead


def test_a_worker_that_fails_says_why(pair: tuple[Searcher, Searcher], tmp_path: Path) -> None:
    _one, shared = pair
    workers = shared._workers
    assert workers is not None
    with pytest.raises(ImrError, match="a search process failed: "):
        workers.scores(tmp_path / "gone", "medically", [1, 1], lambda mine: {}, lambda: None)


def test_the_workers_follow_an_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A searcher refreshed onto a new generation keeps its workers, and they read the new
    generation, not the one they opened first."""
    monkeypatch.setattr(search, "SHARED_FROM", 0)
    letters = tmp_path / "letters"
    shutil.copytree(CORPUS, letters)
    api.build(letters, tmp_path / "ix", workers=1, shards="year")
    store = IndexStore(tmp_path / "ix")
    with Searcher(store, workers=1) as shared:
        before = shared.search("medically", limit=None).total
        for path in sorted(letters.rglob("*.pdf"))[::3]:
            path.unlink()
        api.update(letters, tmp_path / "ix", workers=1)
        shared.refresh()
        workers = shared._workers
        assert workers is not None and workers.workers[0] is not None
        with Searcher(store) as one:
            assert _answer(shared, "medically") == _answer(one, "medically")
            assert _answer(shared, "medically")[0] < before
        assert shared._workers is workers


def test_workers_start_with_the_searcher_only_where_searches_are_shared(
    changed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(changed_index)
    monkeypatch.setattr(search, "SHARED_FROM", 100_000)  # as shipped (the fixture above lowers it)
    with Searcher(store, workers=1) as small:  # far under 100,000 documents: never shared
        assert small._workers is not None and small._workers.workers == [None]
        small.search("medically", limit=1)
        assert small._workers.workers == [None]
    monkeypatch.setattr(search, "SHARED_FROM", 0)
    with Searcher(store, workers=1) as shared:  # started at once, ready by the first search
        assert shared._workers is not None
        worker = shared._workers.workers[0]
        assert worker is not None and worker.process.is_alive()
