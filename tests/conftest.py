"""Fixtures shared by the whole suite: the bundled samples, indexed once and parsed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.ingest.archive import LETTER_SUFFIXES, load_letter
from imrsearch.model import Letter


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
def parsed_samples() -> list[Letter]:
    """The bundled samples parsed straight from their files, without the index."""
    files = sorted(p for p in api.samples_dir().iterdir() if p.suffix in LETTER_SUFFIXES)
    return [load_letter(path)[0] for path in files]
