"""The PDF reader process: a PDF that takes too long, eats memory or crashes PDFium fails
alone, within the bound, and the next PDF is read by a fresh reader."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from imrsearch.errors import BadFile
from imrsearch.ingest import pdf_process
from imrsearch.ingest.pdf_process import PdfReader
from tests.ingest.hostile_pdfs import memory_bomb, time_bomb

SAMPLE = (Path(__file__).resolve().parents[2] / "samples" / "CM16-0213037.pdf").read_bytes()


@pytest.fixture
def reader(monkeypatch) -> Iterator[PdfReader]:
    monkeypatch.setattr(pdf_process, "PDF_TIMEOUT_SECONDS", 2.0)
    reader = PdfReader()
    yield reader
    reader.close()


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a killed reader may linger a moment as a zombie)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.05)
    return True


def test_one_reader_serves_many_pdfs(reader: PdfReader) -> None:
    texts = [reader.text(SAMPLE, "a.pdf") for _ in range(3)]
    pid = reader.pid
    assert all("Case Number: CM16-0213037" in text for text in texts)
    assert reader.text(SAMPLE, "b.pdf") == texts[0]
    assert reader.pid == pid


def test_a_pdf_that_takes_too_long_is_stopped_at_the_timeout(reader: PdfReader) -> None:
    reader.text(SAMPLE, "warm-up.pdf")
    first = reader_process(reader)
    started = time.monotonic()
    with pytest.raises(BadFile) as caught:
        reader.text(time_bomb(), "slow.pdf")
    took = time.monotonic() - started
    print(f"figures: time bomb stopped after {took:.1f} s (timeout 2 s)")
    assert caught.value.reason == "took longer than 2 s to read (PDF reader stopped)"
    assert 2 <= took < 4
    assert not alive(first)
    assert "CM16-0213037" in reader.text(SAMPLE, "next.pdf")


def test_a_pdf_that_eats_memory_is_stopped_at_the_limit(reader: PdfReader, monkeypatch) -> None:
    # The memory limit must be what stops it: give the clock room on a loaded machine.
    monkeypatch.setattr(pdf_process, "PDF_TIMEOUT_SECONDS", 30.0)
    started = time.monotonic()
    with pytest.raises(BadFile) as caught:
        reader.text(memory_bomb(), "bomb.pdf")
    print(f"figures: memory bomb stopped after {time.monotonic() - started:.1f} s")
    assert caught.value.reason == "ran out of memory (the PDF reader may use 768 MiB)"
    assert "CM16-0213037" in reader.text(SAMPLE, "next.pdf")


def reader_process(reader: PdfReader) -> int:
    """The process that runs PDFium: the only child of the reader's supervisor."""
    supervisor = reader.pid
    (child,) = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return int(child)


def test_a_crashed_reader_is_reported_and_replaced(reader: PdfReader) -> None:
    """The reader is killed with SIGSEGV from outside while it reads a slow PDF."""
    reader.text(SAMPLE, "warm-up.pdf")
    pid = reader_process(reader)
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGSEGV))
    killer.start()
    with pytest.raises(BadFile) as caught:
        reader.text(time_bomb(), "slow.pdf")
    killer.join()
    assert caught.value.reason == "crashed the PDF reader (killed by SIGSEGV)"
    assert "CM16-0213037" in reader.text(SAMPLE, "next.pdf")
    assert reader_process(reader) != pid


def test_an_interrupt_mid_pdf_stops_the_reader(reader: PdfReader) -> None:
    """Ctrl-C, or the loader's per-file alarm, while PDFium works: the reader must not run on."""
    reader.text(SAMPLE, "warm-up.pdf")
    pid = reader_process(reader)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            reader.text(time_bomb(), "slow.pdf")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not alive(pid)
    assert "CM16-0213037" in reader.text(SAMPLE, "next.pdf")


def test_a_forked_child_starts_its_own_reader() -> None:
    """A loader worker forked from a process that has a reader must not talk to that one."""
    parent = pdf_process.pdf_text(SAMPLE, "a.pdf")
    pid = pdf_process._reader.pid if pdf_process._reader else None
    assert pid is not None
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the fork
        try:
            ok = pdf_process.pdf_text(SAMPLE, "b.pdf") == parent
            own = pdf_process._reader is not None and pdf_process._reader.pid != pid
            os.write(write, b"1" if ok and own else b"0")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(child, 0)
    assert answer == b"1"
    assert pdf_process.pdf_text(SAMPLE, "c.pdf") == parent
    assert pdf_process._reader is not None and pdf_process._reader.pid == pid
