"""The PDF reader process: PDFium runs here, never in a process that matters.

`pdf_process` starts this as `python -P -c ... MEMORY_LIMIT PARENT_PID STATUS_FD`. The process
started (the supervisor) forks the reader and waits for it; the reader limits its own address
space (RLIMIT_AS) before PDFium is loaded, then answers requests on stdin/stdout until stdin
closes. A request is an 8-byte big-endian length and the PDF's bytes; a reply is one byte (`T`
text; `E` the reason there is none; `X` the same, and the reader stops), an 8-byte length and
UTF-8. A PDF that exhausts the memory limit makes PDFium abort the reader: the supervisor
writes how it ended and its peak resident memory to STATUS_FD, so the parent can tell "ran out
of memory" from a crash. (The supervisor is needed for that figure: a process started from a
large one inherits that one's size as its peak, a process forked from the small supervisor does
not.) The parent also enforces the time limit (PDFium cannot be interrupted from inside), so
nothing here watches the clock.

Bounds: at most `MAX_PDF_PAGES` pages and `MAX_TEXT_CHARS` characters of text per PDF.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import traceback

MAX_PDF_PAGES = 200  # a letter has a few pages; a 5000-page PDF is refused before it is read
MAX_TEXT_CHARS = 8 * 2**20  # a 200-page letter holds about a million characters
READY = b"R"


class Refused(Exception):
    """A PDF with no letter text in it; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF: pages joined by form feeds, as the text normaliser expects."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Refused("PDF is password-protected") from None
        raise Refused(f"not a readable PDF ({exc})") from None
    try:
        if len(pdf) > MAX_PDF_PAGES:
            raise Refused(f"PDF has {len(pdf)} pages; a letter has a few")
        pages = []
        size = 0
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
            size += len(pages[-1])
            if size > MAX_TEXT_CHARS:
                raise Refused(f"PDF holds over {MAX_TEXT_CHARS:,} characters; a letter is short")
    finally:
        pdf.close()
    # PDFium marks a hyphen at a line break with U+0002; it is a hyphen.
    text = "\f".join(pages).replace("\r\n", "\n").replace("\x02", "-")
    if not text.strip():
        raise Refused("PDF has no text layer (scanned image?)")
    return text


def main(argv: list[str]) -> None:
    """The supervisor: fork the reader, wait for it, report how it ended."""
    memory_limit, parent, status = int(argv[0]), int(argv[1]), int(argv[2])
    _die_with(parent)
    _limit(resource.RLIMIT_CORE, 0)  # an abort must not leave a core file behind
    supervisor = os.getpid()
    reader = os.fork()
    if reader == 0:
        os.close(status)
        try:
            _die_with(supervisor)
            _serve(memory_limit)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    quiet = os.open(os.devnull, os.O_RDWR)
    os.dup2(quiet, 0)  # the reader alone holds the pipes: its end closes them
    os.dup2(quiet, 1)
    _, code, usage = os.wait4(reader, 0)
    _write(status, b"%d %d" % (os.waitstatus_to_exitcode(code), usage.ru_maxrss))


def out_of_memory(memory_limit: int) -> str:
    return f"ran out of memory (the PDF reader may use {memory_limit >> 20} MiB)"


def _serve(memory_limit: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit(resource.RLIMIT_AS, memory_limit)
    replies = os.dup(1)
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the replies
    import pypdfium2  # noqa: F401  (loaded once, under the limit, before the first request)

    _write(replies, READY)
    while True:
        header = _read(0, 8)
        if len(header) < 8:
            return  # the parent closed the pipe (or died): done
        data = _read(0, int.from_bytes(header, "big"))
        try:
            kind, reply = b"T", pdf_text(data)
        except Refused as exc:
            kind, reply = b"E", exc.reason
        except MemoryError:
            _reply(replies, b"X", out_of_memory(memory_limit))
            return  # PDFium's state is unknown now: the parent starts a fresh reader
        except Exception as exc:  # a PDFium error the code above does not know
            kind, reply = b"E", f"not a readable PDF ({type(exc).__name__}: {exc})"
        _reply(replies, kind, reply)


def _reply(fd: int, kind: bytes, text: str) -> None:
    payload = text.encode("utf-8", "replace")
    _write(fd, kind + len(payload).to_bytes(8, "big") + payload)


def _read(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 2**20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _limit(which: int, value: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value if hard == resource.RLIM_INFINITY else hard))


def _die_with(parent: int) -> None:
    """Be killed when the parent dies, even in the middle of a PDF (Linux), and stop at once
    if it died before this took effect."""
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)
