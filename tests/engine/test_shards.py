"""A sharded index answers as an unsharded one does, on the real letters.

The letters of tests/data/corpus and the samples are indexed twice, once as one index and once
split by decision year, and every query of the test set must give the same total, the same
hits in the same order (by relevance and by date, scores included), the same facets and the
same letters; the research tools too. An update of a sharded index (letters added, changed so
that they move to another year, removed) must equal a fresh sharded build.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch import build as builder
from imrsearch.engine import shards
from imrsearch.engine.manifest import read_meta
from imrsearch.engine.phrases import phrases
from imrsearch.engine.search import FACET_NAMES, Searcher
from imrsearch.engine.similar import similar
from imrsearch.engine.store import IndexStore
from imrsearch.engine.trend import trend
from imrsearch.errors import ImrError
from imrsearch.ingest.archive import load_letter
from tests.engine.test_collect import QUERIES

DATA = Path(__file__).resolve().parents[1] / "data" / "corpus"
QUERY_SET = [*QUERIES, "decided:2016-12", "lumbar OR cervical", "outcome:upheld year:2017"]


def _archive(where: Path) -> Path:
    archive = where / "letters"
    shutil.copytree(DATA, archive / "corpus")
    shutil.copytree(api.samples_dir(), archive / "samples")
    return archive


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Path]]:
    """(archive, unsharded index, sharded indexes: written in this process and in two writer
    processes)."""
    where = tmp_path_factory.mktemp("shards")
    archive = _archive(where)
    api.build(archive, where / "plain", workers=1)
    api.build(archive, where / "sharded", workers=1, shards="year")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builder, "_PARALLEL_FROM", 1)
        api.build(archive, where / "parallel", workers=2, shards="year")
    return archive, where / "plain", {"serial": where / "sharded", "parallel": where / "parallel"}


@pytest.fixture(params=["serial", "parallel"])
def pair(
    built: tuple[Path, Path, dict[str, Path]], request: pytest.FixtureRequest
) -> Iterator[tuple[Searcher, Searcher]]:
    _archive_dir, plain, sharded = built
    with Searcher(IndexStore(plain)) as one, Searcher(IndexStore(sharded[request.param])) as many:
        yield one, many


def _answer(searcher: Searcher, text: str, sort: str, limit: int | None) -> tuple:
    found = searcher.search(text, limit=limit, sort=sort, facets=FACET_NAMES, facet_limit=50)
    hits = [(h.path, h.item, h.score, h.decision_date, h.snippet) for h in found.hits]
    return found.total, hits, found.facets, found.whole_letters


def test_the_sharded_index_has_a_shard_per_year(
    built: tuple[Path, Path, dict[str, Path]],
) -> None:
    _archive_dir, plain, sharded = built
    live = IndexStore(sharded["serial"]).require_live(full=True)
    assert {"Y2016", "Y2017"} <= set(shards.names(live))
    assert shards.MAIN not in shards.names(live)
    parallel = IndexStore(sharded["parallel"]).require_live(full=True)
    assert shards.names(parallel) == shards.names(live)
    assert shards.names(IndexStore(plain).require_live()) == [shards.MAIN]
    assert read_meta(live)["shards"] == "year"


@pytest.mark.parametrize("text", QUERY_SET)
def test_answers_equal_the_unsharded_index(pair: tuple[Searcher, Searcher], text: str) -> None:
    one, many = pair
    for sort in ("relevance", "date"):
        every = _answer(one, text, sort, None)
        assert every[0] > 0, text  # each query finds something, so order can differ
        assert _answer(many, text, sort, None) == every
        for limit in (1, 5):
            top = _answer(many, text, sort, limit)
            assert top == _answer(one, text, sort, limit)
            assert top[1] == every[1][:limit]
        assert list(many.iter_hits(text, sort)) == list(one.iter_hits(text, sort))
    assert many.highlight(text) == one.highlight(text)


def test_letters_equal_the_unsharded_index(pair: tuple[Searcher, Searcher]) -> None:
    one, many = pair
    paths = {h.path for h in one.search("medically", limit=None).hits}
    assert len(paths) > 20
    for path in sorted(paths):
        assert many.letter(path) == one.letter(path)


def _timeless(value: object) -> object:
    return dataclasses.replace(value, elapsed=0.0)  # type: ignore[type-var]


def test_research_tools_equal_the_unsharded_index(pair: tuple[Searcher, Searcher]) -> None:
    one, many = pair
    for by, facet in (("month", ""), ("year", "outcome")):
        assert _timeless(trend(many, "opioid", by, facet, 5)) == _timeless(
            trend(one, "opioid", by, facet, 5)
        )
    case = one.search("outcome:upheld", limit=1).hits[0].case_number
    assert case
    alike, alike_here = similar(many, case), similar(one, case)
    assert alike.result.total > 0
    assert (alike.terms, alike.shared) == (alike_here.terms, alike_here.shared)
    assert _timeless(alike.result) == _timeless(alike_here.result)
    assert _timeless(phrases(many, "opioid")) == _timeless(phrases(one, "opioid"))


def test_an_unknown_sharding_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImrError, match="unknown sharding"):
        api.build(api.samples_dir(), tmp_path / "ix", workers=1, shards="month")
    assert not (tmp_path / "ix").exists()


def _all_answers(index: Path) -> list[tuple]:
    """Every answer by date, whole; by relevance, the hits as a set: Whoosh keeps counting a
    deleted document in a term's frequency until its segment is merged, so after an update
    (sharded or not) scores differ from a fresh build's."""
    with Searcher(IndexStore(index)) as searcher:
        by_date = [_answer(searcher, text, "date", None) for text in QUERY_SET]
        scored = [_answer(searcher, text, "relevance", None) for text in QUERY_SET]
        return by_date + [(total, {h[:2] for h in hits}, f) for total, hits, f, _w in scored]


def _moved_to(text: str, year: str) -> str:
    for old in ("2013", "2014", "2015", "2016", "2017"):
        text = text.replace(old, year)
    return text


@pytest.mark.parametrize("workers", [1, 2])
def test_an_update_equals_a_fresh_sharded_build(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In this process, and in writer processes (the update's letters are then written by
    them, the deletions here)."""
    monkeypatch.setattr(builder, "_PARALLEL_FROM", 1)
    archive = _archive(tmp_path)
    sample = archive / "samples" / "000_8e1dcabcf776b057.txt"
    shutil.move(sample, tmp_path / "held")
    # a letter of its own: a corpus letter's text with its dates in 2015
    pdf = sorted((archive / "corpus").rglob("*.pdf"))[0]
    changed = archive / "samples" / "moved.txt"
    changed.write_text(_moved_to(load_letter(pdf)[0].text, "2015"))
    api.build(archive, tmp_path / "updated", workers=workers, shards="year")
    before = shards.names(IndexStore(tmp_path / "updated").require_live())
    assert "Y2015" in before
    # added: a sample that was not there; removed: a corpus letter; changed: the 2015 letter
    # now decided in 2012, so the update moves it to another shard
    shutil.move(tmp_path / "held", sample)
    sorted((archive / "corpus").rglob("*.pdf"))[3].unlink()
    changed.write_text(_moved_to(changed.read_text(), "2012"))
    report = api.update(None, tmp_path / "updated", workers=workers)
    assert (report.removed, report.added) == (1, 2)
    api.build(archive, tmp_path / "fresh", workers=1, shards="year")
    live = IndexStore(tmp_path / "updated").require_live(full=True)
    assert "Y2012" in shards.names(live)
    assert read_meta(live)["shards"] == "year"
    assert _all_answers(tmp_path / "updated") == _all_answers(tmp_path / "fresh")
    with Searcher(IndexStore(tmp_path / "updated")) as searcher:
        assert searcher.search("year:2012", limit=None).total > 0
        assert searcher.search("year:2015", limit=None).total == 0


def test_the_stable_top_drops_a_removed_document() -> None:
    """Whoosh may remove a document from a top collector; ours keeps the heap whole."""
    from imrsearch.engine.ties import StableTop, _Later

    top = StableTop(limit=3)
    top.items = [(1.0, _Later(b"b"), 7), (2.0, _Later(b"a"), 3), (1.5, _Later(b"c"), 9)]
    top.remove(3)
    assert sorted(entry[2] for entry in top.items) == [7, 9]
    assert top.items[0][2] == 7  # the least score is still at the heap's root
