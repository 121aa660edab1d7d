"""Fixtures shared by the whole suite: the bundled samples, indexed once and parsed once."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from imrsearch import api, cli
from imrsearch.ingest.archive import LETTER_SUFFIXES, load_letter
from imrsearch.model import Letter

CORPUS = Path(__file__).resolve().parent / "data" / "corpus" / "dwc-2016-17"


@pytest.fixture(scope="session")
def state_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state")


@pytest.fixture(autouse=True)
def _no_user_state(state_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test runs (the TUI keeps its query history in the state folder), nothing
    is written to the user's own state folder."""
    monkeypatch.setenv("XDG_STATE_HOME", str(state_home))


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled samples, built once per session."""
    path = tmp_path_factory.mktemp("samples-index")
    api.build(api.samples_dir(), path, workers=1)
    return path


@pytest.fixture(scope="session")
def changed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real-letter corpus built in shards by year (a segment each), then updated with a
    tenth of its letters gone and one changed: segments with deleted documents. Read only."""
    root = tmp_path_factory.mktemp("changed")
    letters = root / "letters"
    shutil.copytree(CORPUS, letters)
    index = root / "index"
    api.build(letters, index, workers=1, shards="year")
    files = sorted(p for p in letters.rglob("*") if p.is_file())
    for path in files[::10]:
        path.unlink()
    changed = files[1]
    changed.write_bytes(changed.read_bytes().replace(b"Upheld", b"Overturned", 1))
    api.update(letters, index, workers=1)
    return index


@pytest.fixture(scope="session")
def parsed_samples() -> list[Letter]:
    """The bundled samples parsed straight from their files, without the index."""
    files = sorted(p for p in api.samples_dir().iterdir() if p.suffix in LETTER_SUFFIXES)
    return [load_letter(path)[0] for path in files]


class Run(NamedTuple):
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys, monkeypatch):
    """`imrsearch ARGS` through `cli.main`, as (exit code, stdout, stderr), in a clean
    environment (no $IMRSEARCH_INDEX, a wide terminal); a traceback is never an answer."""
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.delenv(api.ENV_INDEX, raising=False)

    def invoke(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["imrsearch", *args])
        with pytest.raises(SystemExit) as stop:
            cli.main()
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Run(stop.value.code or 0, out, err)

    return invoke
