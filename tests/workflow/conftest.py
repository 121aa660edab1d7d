"""An index of the real letters in tests/data/corpus, built once for the workflow tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from imrsearch import api

CORPUS = Path(__file__).parent.parent / "data" / "corpus" / "dwc-2016-17"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus-index")
    api.build(CORPUS, path, workers=1)
    return path
