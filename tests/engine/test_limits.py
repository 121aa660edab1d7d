"""A search stops when its time is up or it is cancelled, wherever Whoosh is at, with a clear
error; the searcher answers the next query in full."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from imrsearch.engine import mapped
from imrsearch.engine.limits import Budget, SearchCancelled, SearchTimedOut
from imrsearch.engine.search import Searcher
from imrsearch.engine.store import IndexStore


def test_out_of_time_stops_a_search_that_finds_nothing(samples_index: Path) -> None:
    """Checked at every read, not only at each match: a search with no match stops too."""
    with Searcher(IndexStore(samples_index), time_limit=0.0) as hurried:
        for text in ("zzzqx~2", '"valium zzzqx"', "valium"):
            with pytest.raises(SearchTimedOut) as stopped:
                hurried.search(text)
            assert "no results are shown" in stopped.value.message
            assert stopped.value.hint


def test_cancel_from_another_thread_stops_a_slow_search_at_once(
    samples_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Searcher(IndexStore(samples_index)) as searcher:
        want = searcher.search("medically", limit=None, facets=("drug",))
        read = mapped.MappedFile.get
        monkeypatch.setattr(mapped.MappedFile, "get", lambda *a: (time.sleep(0.05), read(*a))[1])
        cancel = threading.Event()
        timer = threading.Timer(0.3, cancel.set)
        timer.start()
        started = time.perf_counter()
        with pytest.raises(SearchCancelled, match="cancelled"):
            searcher.search("medically", limit=None, facets=("drug",), cancel=cancel)
        took = time.perf_counter() - started
        assert 0.3 <= took < 0.5, took
        monkeypatch.undo()
        again = searcher.search("medically", limit=None, facets=("drug",))
    assert again.total == want.total > 0
    assert [(h.path, h.item) for h in again.hits] == [(h.path, h.item) for h in want.hits]
    assert again.facets == want.facets


def test_a_cancel_set_before_the_search_stops_it_before_any_match(samples_index: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with Searcher(IndexStore(samples_index)) as searcher:
        with pytest.raises(SearchCancelled):
            list(searcher.iter_hits("valium", cancel=cancel))
        assert searcher.search("valium").total > 0  # the cancel belonged to that search


def test_budget_says_which_limit_stopped_it() -> None:
    Budget(60.0).check()  # neither: nothing raised
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(SearchCancelled):
        Budget(0.0, cancel).check()  # cancelled wins: the user asked for it
    with pytest.raises(SearchTimedOut, match="after 0 s"):
        Budget(0.0).check()
