"""The real letters (the DWC corpus and the bundled text samples), parsed and indexed once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.ingest.archive import load_letter
from imrsearch.model import Letter

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus" / "dwc-2016-17"


def real_files() -> list[Path]:
    """The DWC letters and the text samples (the samples' PDFs are copies of corpus letters)."""
    return sorted(CORPUS.glob("*.pdf")) + sorted(api.samples_dir().glob("*.txt"))


@pytest.fixture(scope="session")
def real_letters() -> list[Letter]:
    return [load_letter(path)[0] for path in real_files()]


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("real-letters")
    for path in real_files():
        shutil.copy(path, archive / path.name)
    index = tmp_path_factory.mktemp("real-index")
    api.build(archive, index, workers=1)
    return index
