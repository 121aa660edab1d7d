"""Archive file → raw text. Text files in any common encoding; PDFs through PDFium, which
runs in a reader process of its own (`pdf_process`), never in this one.

Bounds per file, so no file can stall or exhaust a worker:
- `read_file` refuses anything but a regular file without blocking (a FIFO, a device), and a
  text file over `MAX_TEXT_BYTES` or a PDF over `MAX_PDF_BYTES` before reading it.
- A PDF is read under `pdf_process.PDF_MEMORY_LIMIT` and `PDF_TIMEOUT_SECONDS`, at most
  `pdf_child.MAX_PDF_PAGES` pages and `pdf_child.MAX_TEXT_CHARS` characters.
- The text of a text file is at most `MAX_TEXT_BYTES` bytes, so decoding it takes at most a
  few times that in memory; the loader's `FILE_TIMEOUT_SECONDS` bounds the time of the rest.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from imrsearch.errors import BadFile
from imrsearch.vocab.paths import display_path

# A letter is tens of kilobytes; anything this large is not one and would only stall a worker.
MAX_TEXT_BYTES = 16 * 1024 * 1024
MAX_PDF_BYTES = 64 * 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_file(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of one archive file and its status taken *before* reading them (so a file
    rewritten while being read looks changed to the next update), refusing what cannot be a
    letter before reading it all.

    Only a regular file is opened, and without blocking: opening a FIFO waits for a writer
    and opening a device can act on it. The file is checked before it is opened and again,
    through the open descriptor, in case it was swapped in between."""
    name = display_path(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise BadFile(name, "not a regular file")
        fd = os.open(path, _OPEN_FLAGS)
        with open(fd, "rb", closefd=True) as handle:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise BadFile(name, "not a regular file")
            os.set_blocking(fd, True)
            if st.st_size == 0:
                raise BadFile(name, "empty file")
            is_pdf = path.suffix.lower() == ".pdf"
            limit = MAX_PDF_BYTES if is_pdf else MAX_TEXT_BYTES
            kind = "PDF" if is_pdf else "text"
            if st.st_size > limit:
                size = st.st_size / 2**20
                raise BadFile(name, f"{kind} too large for a letter ({size:.0f} MiB)")
            data = handle.read(limit + 1)
            if len(data) > limit:  # it grew while being read
                raise BadFile(name, f"{kind} too large for a letter (over {limit >> 20} MiB)")
            return data, st
    except OSError as exc:
        raise BadFile(name, f"cannot read: {exc.strerror or exc}") from None


def extract_text(path: Path, data: bytes | None = None) -> str:
    """The text of one archive file, or `BadFile` saying why there is none."""
    if data is None:
        data, _ = read_file(path)
    if path.suffix.lower() == ".pdf" or data.startswith(b"%PDF-"):
        from imrsearch.ingest.pdf_process import pdf_text

        return pdf_text(data, display_path(path))
    return decode_text(data, display_path(path))


def decode_text(data: bytes, name: str = "<bytes>") -> str:
    """Decode bytes of unknown encoding: BOM, then UTF-8, then UTF-16 without BOM, then cp1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"), name)
    if _looks_utf16(data):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return _checked(data.decode(encoding, errors="replace"), name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; those few are mapped through latin-1.
        text = data.decode("cp1252", errors="replace")
        if "\ufffd" in text:
            text = "".join(
                ch if ch != "\ufffd" else chr(b) for ch, b in zip(text, data, strict=True)
            )
    return _checked(text, name)


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_nuls, odd_nuls) > 0.4 * half and min(even_nuls, odd_nuls) < 0.05 * half


def _checked(text: str, name: str) -> str:
    """Reject binary data that happened to decode."""
    sample = text[:65536]
    if not sample.strip("\x00"):
        raise BadFile(name, "no text (only NUL bytes)")
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f")
    if controls > 0.05 * len(sample):
        raise BadFile(name, "binary data, not text")
    return text.replace("\x00", "")
