"""The index folder as an attacker-minded tester used it: a user's folder or the archive given as
`--index`, damaged and crafted index files, mistyped locations. Each case runs the real CLI entry
point and checks for a clear message, no traceback, and every user file as it was."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch import build as builder
from imrsearch.engine.store import IndexStore
from imrsearch.errors import IndexBusy
from tests.conftest import Run
from tests.reliability.conftest import make_archive, start_cli, wait_group_gone

SAMPLES = api.samples_dir()
ROOT = Path(__file__).resolve().parents[2]


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != api.ENV_INDEX}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, "COLUMNS": "300", "NO_COLOR": "1", **extra}


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under `root`: file contents, link targets, "dir" for folders."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = path.read_bytes()
    return found


def user_folder(root: Path) -> Path:
    """Someone's own folder, with names a careless cleanup would take for its own."""
    (root / "tmp-important").mkdir(parents=True)
    (root / "tmp-important" / "thesis.tex").write_text("\\chapter{Results}\n")
    (root / "gen-reports").mkdir()
    (root / "gen-reports" / "q3.csv").write_text("a,b\n1,2\n")
    (root / "gen-old-photos").mkdir()
    (root / "gen-old-photos" / "beach.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    (root / "gen-000001").mkdir()
    (root / "gen-000001" / "draft.txt").write_text("mine")
    (root / "CURRENT").write_text("gen-000001\n")
    (root / "notes.txt").write_text("call the clinic\n")
    return root


def archive(root: Path) -> Path:
    root.mkdir(parents=True)
    for path in SAMPLES.glob("*.txt"):
        shutil.copy(path, root / path.name)
    return root


def built(tmp_path: Path) -> Path:
    index = tmp_path / "ix"
    api.build(SAMPLES, index, workers=1)
    return index


def live(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def refused(done: Run, *words: str) -> None:
    assert done.code == 2, done
    assert "error:" in done.err
    assert all(word in done.err for word in words), done.err


# ---- 1. never delete what it did not make ----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [("index", "build", "{archive}"), ("index", "update"), ("query", "drug:valium")],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_user_folder_as_index_is_refused_and_left_as_it_was(run, tmp_path, command):
    folder, letters = user_folder(tmp_path / "mine"), archive(tmp_path / "letters")
    before = snapshot(folder)
    args = [a.format(archive=letters) for a in command]
    done = run(*args, "--index", str(folder))
    refused(done, str(folder))
    assert snapshot(folder) == before


def test_show_and_tui_on_a_user_folder_are_refused(tmp_path):
    """`show` and `tui` start the automatic first build too; `tui` must not even open."""
    folder = user_folder(tmp_path / "mine")
    before = snapshot(folder)
    for command in (("show", "CM16-0213037"), ("tui",)):
        done = subprocess.run(
            [sys.executable, "-m", "imrsearch", *command, "--index", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            env=subprocess_env(),
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "imrsearch index build" in done.stderr
    assert snapshot(folder) == before


def test_a_user_folder_in_the_default_location_is_refused(run, tmp_path, monkeypatch):
    """No --index: ./index is someone's folder; the automatic first build must not touch it."""
    folder = user_folder(tmp_path / "index")
    (folder / "CURRENT").unlink()  # looks like no index at all, so a first build is tried
    before = snapshot(folder)
    monkeypatch.chdir(tmp_path)
    done = run("query", "drug:valium")
    refused(done, "not an imrsearch index", "--index")
    assert "bundled samples" not in done.err
    assert snapshot(folder) == before


def test_the_archive_is_never_the_index(run, tmp_path):
    letters = archive(tmp_path / "letters")
    other = archive(tmp_path / "other")
    before = snapshot(letters)
    refused(run("index", "build", str(letters), "--index", str(letters)), "archive folder")
    refused(run("index", "build", str(other), "--index", str(letters)), "not an imrsearch index")
    inside = letters / "index"
    refused(run("index", "build", str(letters), "--index", str(inside)), "inside the archive")
    assert snapshot(letters) == before and not inside.exists()


def test_an_index_that_holds_the_archive_is_refused(run, tmp_path):
    index = built(tmp_path)
    letters = archive(index / "letters")
    before = snapshot(index)
    refused(run("index", "build", str(letters), "--index", str(index)), "holds the archive")
    refused(run("index", "update", str(letters), "--index", str(index)), "holds the archive")
    assert snapshot(index) == before


def test_root_and_home_are_refused(run, tmp_path, monkeypatch):
    home = user_folder(tmp_path / "home")
    monkeypatch.setenv("HOME", str(home))
    before = snapshot(home)
    root_entries = sorted(os.listdir("/"))
    refused(run("index", "build", str(SAMPLES), "--index", "/"), "root of the file system")
    refused(run("index", "build", str(SAMPLES), "--index", str(home)), "home folder")
    assert sorted(os.listdir("/")) == root_entries
    assert snapshot(home) == before


def test_a_folder_with_only_a_gitignore_is_taken(run, tmp_path):
    """The repository ships index/ holding just a .gitignore: the default location."""
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / ".gitignore").write_text("*\n!.gitignore\n")
    done = run("index", "build", str(SAMPLES), "--index", str(folder))
    assert done.code == 0, done.err
    assert (folder / ".gitignore").read_text() == "*\n!.gitignore\n"
    assert (folder / ".imrsearch-index").is_file()
    assert api.search("drug:valium", folder).total == 5


def test_a_killed_build_is_cleaned_up_and_nothing_else(run, tmp_path, reaper):
    """A real build killed while it writes: the next build removes its workspace, and keeps
    what someone put in the index folder meanwhile, whatever the names."""
    index = built(tmp_path)
    make_archive(tmp_path / "big", 600, "betanew")
    proc = start_cli(
        "index", "build", str(tmp_path / "big"), "--index", str(index), log=tmp_path / "log"
    )
    reaper.append(proc.pid)
    deadline = time.monotonic() + 60
    while not list(index.glob("tmp-*")):
        assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "log").read_text()
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    wait_group_gone(proc.pid, 10)
    (workspace,) = index.glob("tmp-*")
    planted = {
        "tmp-important/thesis.tex": "\\chapter{Results}\n",
        "tmp-0123456789abcdef/mine.txt": "a workspace's name, but not one imrsearch made",
        "gen-reports/q3.csv": "a,b\n",
        "gen-000009/draft.txt": "a generation's name, but not one imrsearch made",
        "notes.txt": "call the clinic\n",
    }
    for name, text in planted.items():
        (index / name).parent.mkdir(exist_ok=True)
        (index / name).write_text(text)
    assert run("index", "build", str(tmp_path / "big"), "--index", str(index)).code == 0
    assert not workspace.exists()
    assert {name: (index / name).read_text() for name in planted} == planted
    assert api.search("betanew", index, limit=1).total == 1200
    assert run("index", "update", "--index", str(index)).code == 0
    assert {name: (index / name).read_text() for name in planted} == planted


# ---- 2. damage is found before Whoosh reads it -----------------------------------------------


def crafted_toc(canary: Path) -> bytes:
    """A Whoosh TOC whose schema pickle makes the folder `canary` when it is unpickled."""
    from whoosh.filedb.structfile import StructFile
    from whoosh.index import _CURRENT_TOC_VERSION, _FLOAT_SIZE, _INT_SIZE, _LONG_SIZE

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(canary),))

    buffer = io.BytesIO()
    stream = StructFile(buffer)
    for size in (_INT_SIZE, _LONG_SIZE, _FLOAT_SIZE):
        stream.write_varint(size)
    stream.write_int(-12345)
    stream.write_int(_CURRENT_TOC_VERSION)
    for number in (2, 7, 5):
        stream.write_varint(number)
    stream.write_string(pickle.dumps(Payload(), 2))
    stream.write_int(1)
    stream.write_int(0)
    stream.write_pickle([])
    return buffer.getvalue()


def test_a_crafted_toc_is_refused_before_it_is_unpickled(run, tmp_path):
    from whoosh import index as whoosh_index

    index = built(tmp_path)
    (toc,) = live(index).glob("*.toc")
    toc.write_bytes(crafted_toc(tmp_path / "pwned"))
    for command in (("query", "drug:valium"), ("show", "CM16-0213037"), ("index", "update")):
        refused(run(*command, "--index", str(index)), "damaged", toc.name, "imrsearch index build")
    assert not (tmp_path / "pwned").exists()
    # the same file opened by Whoosh directly does run the payload: the check is what stops it
    with contextlib.suppress(Exception):  # whatever Whoosh makes of the rest
        whoosh_index.open_dir(str(live(index)))
    assert (tmp_path / "pwned").is_dir()


def test_an_extra_toc_in_the_generation_is_refused(run, tmp_path):
    """Whoosh opens the highest-numbered TOC it finds: an added one must not be read."""
    index = built(tmp_path)
    (live(index) / "_MAIN_9.toc").write_bytes(crafted_toc(tmp_path / "pwned"))
    refused(run("query", "drug:valium", "--index", str(index)), "_MAIN_9.toc", "not part of")
    assert not (tmp_path / "pwned").exists()


def corrupt(path: Path) -> None:
    """Flip bytes through the file and near its end, keeping its size."""
    data = bytearray(path.read_bytes())
    for at in [*range(512, len(data), 997), *range(len(data) - 300, len(data), 7)]:
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["toc flipped", "segment flipped", "segment truncated"])
def test_a_damaged_index_is_an_error_that_names_the_file(run, tmp_path, how):
    index = built(tmp_path)
    generation = live(index)
    target = next(generation.glob("*.toc" if how.startswith("toc") else "*.seg"))
    if how.endswith("truncated"):
        os.truncate(target, target.stat().st_size // 2)
    else:
        corrupt(target)
    for command in (("query", "drug:valium"), ("show", "CM16-0213037")):
        refused(run(*command, "--index", str(index)), "damaged", target.name, "index build")
    verify = run("index", "verify", "--index", str(index))
    refused(verify, target.name)
    damaged = target.read_bytes()
    refused(run("index", "update", str(SAMPLES), "--index", str(index)), "index build")
    assert live(index) == generation and target.read_bytes() == damaged
    assert sorted(p.name for p in index.iterdir() if p.name.startswith(("gen-", "tmp-"))) == [
        generation.name
    ]
    # the remedy the message names works
    assert run("index", "build", str(SAMPLES), "--index", str(index)).code == 0
    assert run("index", "verify", "--index", str(index)).code == 0
    assert api.search("drug:valium", index).total == 5


@pytest.mark.parametrize("default_location", [False, True], ids=["--index", "./index"])
def test_a_missing_live_generation_is_an_error_not_the_samples(
    run, tmp_path, monkeypatch, default_location
):
    index = tmp_path / "index"
    api.build(archive(tmp_path / "letters"), index, workers=1)
    shutil.rmtree(live(index))
    monkeypatch.chdir(tmp_path)
    done = run("query", "drug:valium", *([] if default_location else ["--index", str(index)]))
    refused(done, "damaged", "missing", "index build")
    assert "bundled samples" not in done.err and done.out == ""
    assert not list(index.glob("gen-*"))


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"schema": 1, "files": {"../x": 1}}'])
def test_a_mangled_generation_file_is_an_error(run, tmp_path, content):
    index = built(tmp_path)
    (live(index) / "generation.json").write_bytes(content)
    refused(run("query", "drug:valium", "--index", str(index)), "generation.json", "index build")


@pytest.mark.parametrize("what", ["root", "generation", "toc"])
def test_an_index_others_can_write_is_refused(run, tmp_path, what):
    index = built(tmp_path)
    target = {"root": index, "generation": live(index), "toc": next(live(index).glob("*.toc"))}[
        what
    ]
    target.chmod(target.stat().st_mode | 0o002)
    refused(run("query", "drug:valium", "--index", str(index)), "writable by every user")
    assert run("index", "verify", "--index", str(index)).code == 2


def test_an_index_owned_by_another_user_is_refused(run, tmp_path):
    index = built(tmp_path)
    try:
        os.chown(live(index), 65534, -1)
    except PermissionError:
        pytest.skip("changing a folder's owner needs root")
    refused(run("query", "drug:valium", "--index", str(index)), "owned by another user")


def test_verify_checks_every_file(run, tmp_path):
    index = built(tmp_path)
    done = run("index", "verify", "--index", str(index), "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["problems"] == [] and report["unsafe"] == []
    assert report["files"] == len(list(live(index).iterdir())) - 1  # all but generation.json
    refused(run("index", "verify", "--index", str(tmp_path / "nothing")), "no index")


# ---- 3. the index asked for, or an error ------------------------------------------------------


@pytest.mark.parametrize("how", ["--index", "IMRSEARCH_INDEX"])
def test_a_mistyped_location_is_an_error_not_the_samples(run, tmp_path, monkeypatch, how):
    built(tmp_path)
    typo = tmp_path / "ixx"
    monkeypatch.chdir(tmp_path)
    if how == "--index":
        done = run("query", "drug:valium", "--index", str(typo))
    else:
        monkeypatch.setenv(api.ENV_INDEX, str(typo))
        done = run("query", "drug:valium")
    refused(done, "no index", "imrsearch index build")
    assert "bundled samples" not in done.err
    assert not typo.exists() and not (tmp_path / "index").exists()


def test_a_first_build_that_was_killed_is_an_error_not_the_samples(run, tmp_path, reaper):
    """A first `index build` into ./index is killed; the next query must not fill ./index with
    the samples, and must say how to build."""
    make_archive(tmp_path / "big", 600, "betanew")
    proc = subprocess.Popen(
        [sys.executable, "-m", "imrsearch", "index", "build", str(tmp_path / "big")],
        cwd=tmp_path,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    reaper.append(proc.pid)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "index").glob("tmp-*")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    wait_group_gone(proc.pid, 10)
    done = subprocess.run(
        [sys.executable, "-m", "imrsearch", "query", "drug:valium"],
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "imrsearch index build" in done.stderr and "bundled samples" not in done.stderr
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_two_first_queries_at_once_both_answer(tmp_path):
    """Both start the automatic first build of ./index; one builds, the other waits for it."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "imrsearch", "query", "drug:valium", "--json"],
            cwd=tmp_path,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    assert sum("bundled samples" in err for _, err in results) == 1
    assert [p.name for p in (tmp_path / "index").glob("gen-*")] == ["gen-000001"]


def test_the_wait_for_another_first_build_is_bounded(tmp_path, monkeypatch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from imrsearch.engine.store import IndexStore\n"
            "with IndexStore(Path('index')).write_lock():\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        cwd=tmp_path,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv(api.ENV_INDEX, raising=False)
        monkeypatch.setattr(builder, "FIRST_BUILD_WAIT", 0.5)
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="waited"):
            api.ensure_index(None, lambda message: None)
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
    assert not IndexStore(tmp_path / "index").live()


def test_an_index_built_under_umask_0_passes_its_own_check(run, tmp_path):
    """Whoosh makes its files with the umask; the build must not leave them writable by all,
    or the check on open would refuse the index it just made."""
    old = os.umask(0)
    try:
        assert run("index", "build", str(SAMPLES), "--index", str(tmp_path / "ix")).code == 0
    finally:
        os.umask(old)
    assert run("index", "verify", "--index", str(tmp_path / "ix")).code == 0
    assert run("query", "drug:valium", "--index", str(tmp_path / "ix")).code == 0


# ---- an archive with no letters: a wrong folder, an unmounted disk, a moved archive ----------


def test_a_build_of_a_folder_with_no_letters_is_refused_and_makes_nothing(run, tmp_path):
    empty = tmp_path / "letters"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.docx").write_text("not a letter")
    done = run("index", "build", str(empty), "--index", str(tmp_path / "ix"))
    refused(done, "no letters in", "1 other files", "nothing to build")
    assert not (tmp_path / "ix").exists()  # no folder left behind


def test_an_update_that_would_remove_every_letter_is_refused(run, tmp_path):
    letters = archive(tmp_path / "letters")
    index = tmp_path / "ix"
    assert run("index", "build", str(letters), "--index", str(index)).code == 0
    before = snapshot(index)
    moved = letters.rename(tmp_path / "moved")
    letters.mkdir()  # the archive's folder is there, empty: an unmounted disk looks so
    done = run("index", "update", "--index", str(index))
    refused(done, "no letters in", "would remove the letters of all 5 files", "moved")
    assert snapshot(index) == before
    assert run("index", "update", str(moved), "--index", str(index)).code == 0
    assert api.search("drug:valium", index).total == 5  # the moved archive, all letters kept
