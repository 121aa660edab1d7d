"""Kill `index update` while it records what saved searches match: the saved searches stay,
the live record always describes the live index, and the next update counts what is new
exactly as a diff of the results before and after."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

from imrsearch import api
from tests.reliability.conftest import letter_text, make_archive, start_cli
from tests.reliability.test_crash import kill_and_check

QUERY = "outcome:upheld"


def keys(index: Path) -> set[tuple[str, int | None]]:
    with api.open_searcher(index) as searcher:
        return {(h.case_number or h.path, h.item) for h in searcher.iter_hits(QUERY)}


def test_kills_during_an_update_keep_saved_searches_and_a_true_record(
    tmp_path: Path, seed: int, reaper: list[int]
) -> None:
    rng = random.Random(seed)
    archive, index, log = tmp_path / "archive", tmp_path / "index", tmp_path / "stderr.txt"
    make_archive(archive, 300, "alpha")
    started = time.monotonic()
    api.build(archive, index, workers=1)
    duration = time.monotonic() - started
    api.save_search("upheld", QUERY, {"sort": "date"}, index)
    api.save_search("norco", "norco", {}, index)
    saved = api.saved_searches(index)
    before = keys(index)
    for number in range(1000, 1060):  # new letters, and 20 old ones gone
        (archive / "batch3" / f"new{number:05d}.txt").write_text(letter_text(number, "beta"))
    for path in sorted(archive.rglob("letter000[0-1]*.txt")):
        path.unlink()
    killed = 0
    for attempt in range(8):
        proc = start_cli("index", "update", "--index", str(index), log=log)
        reaper.append(proc.pid)
        try:
            # A third of a build: the update (start-up, 80 letters, the record) is still
            # running, so some attempt is a kill, not a finished update.
            proc.wait(timeout=rng.uniform(0.05, duration / 3))
        except subprocess.TimeoutExpired:
            sig = signal.SIGKILL if attempt % 2 else signal.SIGINT
            assert not kill_and_check(proc, sig, attempt % 4 < 2, index)
            killed += 1
        assert api.saved_searches(index) == saved
        assert api.verify(index).problems == []
        if api.saved_news(index):  # an update was published, whole, with its record
            break
    else:
        final = start_cli("index", "update", "--index", str(index), log=log)
        assert final.wait(timeout=600) == 0, log.read_text()[-400:]
    assert killed, "no update was still running when killed"
    after = keys(index)
    search = api.saved_search("upheld", index)
    with api.NewMatches(search, None, index) as view:
        listed = {(h.case_number or h.path, h.item) for h in view.iter_hits(QUERY)}
    assert listed == after - before != set()
    news = {n.name: n for n in api.saved_news(index)}
    assert (news["upheld"].matched, news["upheld"].new) == (len(after), len(after - before))
