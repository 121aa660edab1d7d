"""Archive files → text: encodings, PDFs, and hostile files that must fail clearly."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pypdf
import pytest

from imrsearch.errors import BadFile
from imrsearch.ingest.archive import load_letter
from imrsearch.ingest.extract import MAX_TEXT_BYTES, decode_text, extract_text, read_file

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SEED = (SAMPLES / "000_8e1dcabcf776b057.txt").read_text()


def _blank_pdf(pages: int = 1, password: str | None = None) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]
)
def test_text_in_any_common_encoding(tmp_path: Path, encoding: str) -> None:
    text = SEED.replace("Valium", "Valium\u2019s \u201cdose\u201d")
    path = tmp_path / "letter.txt"
    path.write_bytes(text.encode(encoding))
    assert extract_text(path) == text


def test_cp1252_undefined_bytes_fall_back_to_latin1() -> None:
    assert decode_text(b"caf\xe9 \x81 \x93quoted\x94") == "café \x81 \u201cquoted\u201d"


def test_letter_with_smart_quotes_in_cp1252_parses(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes(SEED.replace('"', "\u201c", 1).encode("cp1252"))
    letter, _ = load_letter(path)
    assert [d.outcome for d in letter.decisions] == ["upheld"] * 3


def test_encrypted_dwc_pdf_opens_with_empty_password() -> None:
    text = extract_text(SAMPLES / "CM16-0213037.pdf")
    assert "Case Number: CM16-0213037" in text
    assert "\f" in text  # page breaks kept as form feeds for the normaliser


HOSTILE = {
    "empty.txt": (lambda: b"", "empty file"),
    "binary.txt": (lambda: bytes(range(256)) * 64, "binary"),
    "nul.txt": (lambda: b"\x00" * 4096, "NUL"),
    "truncated.pdf": (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog", "not a readable PDF"),
    "scanned.pdf": (_blank_pdf, "no text layer"),
    "locked.pdf": (lambda: _blank_pdf(password="secret"), "password-protected"),
    "bomb.pdf": (lambda: _blank_pdf(pages=500), "pages"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_fail_with_a_reason(tmp_path: Path, name: str) -> None:
    make, reason = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(BadFile) as caught:
        extract_text(path)
    assert reason in caught.value.reason
    assert caught.value.path == str(path)


def test_huge_text_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(50 * 2**20)  # 50 MB, sparse
    assert path.stat().st_size > MAX_TEXT_BYTES
    with pytest.raises(BadFile, match="too large"):
        extract_text(path)


def test_missing_file_is_a_bad_file(tmp_path: Path) -> None:
    with pytest.raises(BadFile, match="cannot read"):
        extract_text(tmp_path / "gone.txt")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: outcome.append(_raised(read_file, fifo)))
    reader.start()
    reader.join(10)
    if reader.is_alive():  # blocked in open(): a writer lets it go before the test fails
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join()
        pytest.fail("read_file blocked on a FIFO")
    assert isinstance(outcome[0], BadFile)
    assert outcome[0].reason == "not a regular file"


def test_parse_refuses_a_fifo_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "imrsearch", "parse", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_device_is_refused_without_opening_it() -> None:
    with pytest.raises(BadFile, match="not a regular file"):
        read_file(Path("/dev/zero"))


def _raised(function, *args) -> BaseException:
    try:
        function(*args)
    except BaseException as exc:
        return exc
    return AssertionError("nothing raised")
