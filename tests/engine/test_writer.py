"""Building and updating the index from an archive folder."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.engine.store import IndexStore
from imrsearch.errors import ImrError, IndexBusy, IndexMissing
from imrsearch.ingest.archive import load_letter
from imrsearch.vocab.paths import display_path

SAMPLES = api.samples_dir()


def _documents(index: Path) -> dict[str, tuple]:
    """Every stored decision and letter document, keyed by id."""
    from whoosh import index as whoosh_index

    live = IndexStore(index).require_live()
    ix = whoosh_index.open_dir(str(live))
    with ix.searcher() as searcher:
        docs = {
            f["doc_id"]: tuple(sorted((k, str(v)) for k, v in f.items()))
            for f in searcher.documents()
        }
    ix.close()
    return docs


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "2014").mkdir(parents=True)
    (root / "2016").mkdir()
    for path in SAMPLES.iterdir():
        target = root / ("2014" if path.suffix == ".txt" else "2016") / path.name
        shutil.copy(path, target)
    return root


def test_build_indexes_every_decision_the_parser_finds(archive: Path, tmp_path: Path) -> None:
    report = api.build(archive, tmp_path / "ix", workers=1)
    letters = [load_letter(p)[0] for p in sorted(archive.rglob("*.*"))]
    assert report.letters == len(letters) == 15
    assert report.decisions == sum(len(letter.decisions) for letter in letters)
    docs = _documents(tmp_path / "ix")
    decision_ids = {k for k in docs if "#" in k}
    assert decision_ids == {f"{x.path}#{d.number}" for x in letters for d in x.decisions}
    assert report.formats == {"D": 15}
    assert report.failures == []


def test_bad_files_are_reported_and_good_ones_indexed(archive: Path, tmp_path: Path) -> None:
    (archive / "bad").mkdir()
    (archive / "bad" / "empty.txt").write_bytes(b"")
    (archive / "bad" / "garbage.pdf").write_bytes(b"%PDF-1.4 not really")
    (archive / "bad" / "notes.docx").write_bytes(b"PK")
    (archive / "bad" / "loop").symlink_to(archive / "bad")
    os.mkfifo(archive / "bad" / "pipe.txt")  # must be reported, and must not hang a worker
    report = api.build(archive, tmp_path / "ix", workers=2)
    reasons = {Path(f.path).name: f.reason for f in report.failures}
    assert reasons["empty.txt"] == "empty file"
    assert "not a readable PDF" in reasons["garbage.pdf"]
    assert "loop" in reasons["loop"]
    assert reasons["pipe.txt"] == "not a regular file"
    assert report.skipped == 1  # notes.docx
    assert report.letters == 15
    saved = api.errors(tmp_path / "ix")
    assert {Path(f.path).name for f in saved} == set(reasons)


def test_update_equals_a_fresh_build(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    # add one, change one, delete one
    shutil.copy(SAMPLES / "001_722def79130679ad.txt", archive / "2016" / "copy.txt")
    changed = archive / "2014" / "004_94f52c87e13bc007.txt"
    changed.write_text(
        changed.read_text().replace("Dilaudid 4mg #180:  Upheld", "Dilaudid 4mg #180:  Overturned")
    )
    (archive / "2016" / "CM16-0213037.pdf").unlink()
    report = api.update(None, index, workers=1)
    assert (report.added, report.removed) == (2, 1)
    assert report.unchanged == 13
    fresh = tmp_path / "fresh"
    api.build(archive, fresh, workers=1)
    assert _documents(index) == _documents(fresh)
    assert api.search("service:dilaudid outcome:overturned", index).total == 1


def test_update_of_nothing_reads_nothing(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    touched = archive / "2014" / "000_8e1dcabcf776b057.txt"
    os.utime(touched, (1, 1))  # mtime changes, content does not
    report = api.update(archive, index, workers=1)
    assert report.added == 0 and report.unchanged == 15
    assert report.letters == 15


def test_info_remembers_the_archive(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    info = api.info(index)
    assert info.archive == str(archive.resolve())
    assert info.report["letters"] == 15
    assert info.size_bytes > 0


def test_one_writer_at_a_time(archive: Path, tmp_path: Path) -> None:
    """The lock is per process (a POSIX lock), so another process holds it here."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from imrsearch.engine.store import IndexStore\n"
            "with IndexStore(Path(sys.argv[1])).write_lock():\n"
            "    print('held', flush=True); time.sleep(60)",
            str(tmp_path / "ix"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexBusy):
            api.build(archive, tmp_path / "ix", workers=1)
    finally:
        holder.kill()
        holder.wait()
    assert api.build(archive, tmp_path / "ix", workers=1).letters == 15  # free once it died


def test_missing_archive_and_missing_index_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ImrError, match="archive folder not found"):
        api.build(tmp_path / "nope", tmp_path / "ix")
    with pytest.raises(IndexMissing, match="no index"):
        api.update(None, tmp_path / "ix")


def test_rebuild_keeps_previous_generation_until_the_next(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    for _ in range(3):
        api.build(archive, index, workers=1)
    generations = sorted(p.name for p in index.glob("gen-*"))
    assert generations == ["gen-000002", "gen-000003"]
    assert (index / "CURRENT").read_text().strip() == "gen-000003"


def test_leftovers_of_a_killed_build_are_cleaned(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workspace and a renamed but unpublished generation, made through the store as a
    build makes them, then abandoned as by a kill: the next build removes both. What someone
    else put in the folder stays, whatever its name."""
    index = tmp_path / "ix"
    api.build(archive, index, workers=1)
    store = IndexStore(index)
    with store.write_lock():
        workspace = store.new_workspace(clone_live=True)
        unpublished = store.new_workspace()

        def killed(*args: object) -> None:
            raise KeyboardInterrupt

        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", killed)  # dies before CURRENT names the new generation
            with pytest.raises(KeyboardInterrupt):
                store.publish(unpublished)
    renamed = sorted(index.glob("gen-*"))[-1]
    assert renamed.name == "gen-000002" and (index / "CURRENT.new").exists()
    planted = [index / "tmp-dead", index / "gen-000009", index / "gen-reports"]
    for folder in planted:
        folder.mkdir()
        (folder / "junk").write_text("x")
    assert api.search("drug:valium", index).total == 5  # the old index answers meanwhile
    api.build(archive, index, workers=1)
    assert not workspace.exists() and not renamed.exists()
    assert not (index / "CURRENT.new").exists()
    assert all((folder / "junk").read_text() == "x" for folder in planted)
    assert (index / "CURRENT").read_text().strip() == "gen-000010"
    assert api.search("drug:valium", index).total == 5


ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"


def test_build_over_the_real_corpus_and_samples(tmp_path: Path) -> None:
    """Every decision of every real letter is in the index once, counted against the parser:
    the corpus letters copied into samples/ are copies (the same bytes), indexed from the
    corpus, the first in walk order, and named in the report."""
    archive = tmp_path / "archive"
    shutil.copytree(CORPUS, archive / "corpus")
    shutil.copytree(SAMPLES, archive / "samples")
    report = api.build(archive, tmp_path / "ix", workers=2)
    files = sorted(p for p in archive.rglob("*") if p.suffix in (".pdf", ".txt"))
    corpus = {p.name: p for p in (archive / "corpus").rglob("*.pdf")}
    copies = {  # found by their bytes, not by what the parser made of them
        display_path(p): display_path(corpus[p.name])
        for p in (archive / "samples").glob("*.pdf")
        if p.name in corpus and filecmp.cmp(p, corpus[p.name], shallow=False)
    }
    assert len(copies) == len(list(SAMPLES.glob("*.pdf"))) == 10
    assert {d.path: d.reason for d in report.duplicates} == {
        copy: f"duplicate of {first}" for copy, first in copies.items()
    }
    letters = [load_letter(p)[0] for p in files if display_path(p) not in copies]
    assert report.failures == []
    assert report.letters == len(letters) == 132 + 5
    # the corpus and the five seeds
    assert report.decisions == sum(len(x.decisions) for x in letters) == 284 + 12
    with api.open_searcher(tmp_path / "ix") as searcher:
        assert searcher.search("outcome:upheld OR outcome:overturned", limit=1).total == (
            report.decisions
        )
        # in the corpus and copied into samples/: one letter of 21 items, counted once
        found = searcher.search("case:CM16-0248698", limit=None)
        assert found.total == 21 == len(load_letter(corpus["CM16-0248698.pdf"])[0].decisions)
        assert {h.path for h in found.hits} == {display_path(corpus["CM16-0248698.pdf"])}
    named = {e.path: e.reason for e in api.errors(tmp_path / "ix")}
    copy = display_path(archive / "samples" / "CM16-0248698.pdf")
    assert named[copy] == f"duplicate of {display_path(corpus['CM16-0248698.pdf'])}"


def test_a_parallel_build_publishes_only_every_document(tmp_path: Path) -> None:
    """The count of documents a parallel build checks comes from the segments, and a writer
    process's lost segment (one document short here) stops the publication."""
    from imrsearch.engine.writer import NewGeneration

    letters = [load_letter(p)[0] for p in sorted(SAMPLES.glob("*.txt"))]
    store = IndexStore(tmp_path / "ix")
    with store.write_lock(), NewGeneration(store, update=False, parallel=True) as generation:
        for letter in letters:
            generation.add(letter)
        added = generation.documents
        generation.documents += 1  # as if a writer process's segment were lost
        with pytest.raises(ImrError, match=f"holds {added:,} of {added + 1:,} documents"):
            generation.publish({"archive": "x", "report": {}})
    assert store.pointer() is None
