"""A live `imrsearch serve` on loopback over the samples and a hostile letter, for the API,
fuzz and browser tests; and a way to start more (with a token, several workers)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from imrsearch import api
from tests.reliability.conftest import letter_text

XSS = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
HOSTILE_MARKER = "hostilewebmarker"
TOKEN = "a-token-long-enough-to-be-accepted"


def hostile_letter() -> str:
    """A valid letter whose reviewer, item and rationale carry markup and script."""
    text = letter_text(7, HOSTILE_MARKER)
    text = text.replace("Pain Management", f"Pain {XSS} Management")
    text = text.replace("Norco 10/325mg #120", f"Norco {XSS} #120")
    return text.replace(f"The {HOSTILE_MARKER} record", f"The {HOSTILE_MARKER} {XSS} record")


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled samples, and a hostile letter whose file name is markup too."""
    root = tmp_path_factory.mktemp("web") / "letters"
    shutil.copytree(api.samples_dir(), root)
    (root / 'evil<b onmouseover="alert(2)">&amp;.txt').write_text(hostile_letter())
    return root


@pytest.fixture(scope="session")
def web_index(web_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("web-index") / "index"
    api.build(web_archive, index, workers=1)
    return index


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(index: Path, *options: str) -> Iterator[str]:
    """`imrsearch serve` in a subprocess until the block ends; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "imrsearch", "serve", "--index", str(index), "--port", str(port),
         *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/static/style.css", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {proc.stderr.read()}") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def server(web_index: Path) -> Iterator[str]:
    with serving(web_index) as base:
        yield base


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c
