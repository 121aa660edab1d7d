"""PDF → text in a reader process of its own, so a hostile PDF costs only its own file.

PDFium cannot be interrupted, and a small PDF can make it take gigabytes (a doubly compressed
content stream) or exponential time (form XObjects drawing each other), or abort. So each
process that reads PDFs (the build's loader workers, or the command itself) keeps one
long-lived reader process (`pdf_child`) and pipes the bytes in and the text out. The reader's
address space is capped at `PDF_MEMORY_LIMIT`; a reader that takes longer than
`PDF_TIMEOUT_SECONDS` over one PDF is killed (SIGKILL). Either way the PDF is reported with a
reason ("took longer than 30 s", "ran out of memory", "crashed the PDF reader") and the next
PDF gets a fresh reader. A reader costs about 0.1 s to start and 30 MiB, once per process.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from imrsearch.errors import BadFile
from imrsearch.ingest.pdf_child import MAX_TEXT_CHARS, READY, out_of_memory

# Measured peaks of the reader's address space: 29 MiB over the dwc-2016-17 corpus, 155 MiB
# for a 62 MiB PDF (`MAX_PDF_BYTES` is 64 MiB). A double-flate bomb of 5 KB reaches 3 GB.
PDF_MEMORY_LIMIT = 768 * 2**20
# PDFium reads a letter in about 5 ms, a 200-page letter (the most read) in 0.4 s.
PDF_TIMEOUT_SECONDS = 30.0
_START_TIMEOUT_SECONDS = 60.0
_REPORT_TIMEOUT_SECONDS = 10.0
# A reader that died with this share of its memory limit in use ran out of memory.
_OUT_OF_MEMORY_SHARE = 0.75
_MAX_REPLY_BYTES = 4 * MAX_TEXT_CHARS + 1024
# The child imports this very copy of the package; -P keeps the working folder off its path.
_COMMAND = [
    sys.executable,
    "-P",
    "-c",
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from imrsearch.ingest.pdf_child import main; main(sys.argv[2:])",
    str(Path(__file__).resolve().parents[2]),
]


class _TimedOut(Exception):
    pass


class _Died(Exception):
    pass


class PdfReader:
    """One reader process (with its supervisor, see `pdf_child`), started on first use and
    again after it dies or is killed."""

    def __init__(self, memory_limit: int = PDF_MEMORY_LIMIT) -> None:
        self.memory_limit = memory_limit
        self._proc: subprocess.Popen[bytes] | None = None
        self._status = -1  # read end of the supervisor's report

    @property
    def pid(self) -> int | None:
        """The supervisor's process id, which is also the reader's process group."""
        return self._proc.pid if self._proc else None

    def text(self, data: bytes, name: str) -> str:
        """The text of the PDF `data`; `BadFile(name, reason)` if it has none, or if reading
        it broke one of the reader's limits."""
        timeout = PDF_TIMEOUT_SECONDS
        if self._proc is not None and self._proc.poll() is not None:
            self.close()  # ended between PDFs (killed from outside): start afresh
        if self._proc is None:
            self._start(name)
        try:
            kind, reply = self._exchange(data, time.monotonic() + timeout)
        except _TimedOut:
            self.close(kill=True)
            reason = f"took longer than {timeout:g} s to read (PDF reader stopped)"
            raise BadFile(name, reason) from None
        except _Died:
            reason = self._death_reason()
            self.close(kill=True)
            raise BadFile(name, reason) from None
        except BaseException:  # a timeout alarm, Ctrl-C: the reader is mid-PDF, stop it
            self.close(kill=True)
            raise
        if kind == b"X":  # the reader stopped after this one
            self.close()
        if kind == b"T":
            return reply
        raise BadFile(name, reply)

    def close(self, kill: bool = False) -> None:
        """Stop the reader: closing its input ends it; `kill` ends it now, mid-PDF."""
        if self._proc is None:
            return
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
        self._close_pipes()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        self._proc = None

    def forget(self) -> None:
        """In a forked child: drop the parent's reader without touching it."""
        if self._proc is not None:
            self._close_pipes()
            self._proc.returncode = 0  # not ours to wait for
            self._proc = None

    def _start(self, name: str) -> None:
        self._status, report = os.pipe()
        with tempfile.TemporaryFile() as errors:
            try:
                self._proc = subprocess.Popen(
                    [*_COMMAND, str(self.memory_limit), str(os.getpid()), str(report)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    pass_fds=(report,),
                    start_new_session=True,  # its own group: Ctrl-C is not for it, a kill is
                )
            except BaseException:
                os.close(self._status)
                self._status = -1
                raise
            finally:
                os.close(report)
            try:
                ready = self._receive(len(READY), time.monotonic() + _START_TIMEOUT_SECONDS)
            except BaseException as exc:
                self.close(kill=True)
                if not isinstance(exc, _TimedOut | _Died):
                    raise  # Ctrl-C
                errors.seek(0)
                detail = errors.read()[-500:].decode("utf-8", "replace").strip()
                raise BadFile(name, f"the PDF reader did not start: {detail}") from None
        if ready != READY:
            self.close(kill=True)
            raise BadFile(name, "the PDF reader did not start")
        assert self._proc.stdin is not None
        os.set_blocking(self._proc.stdin.fileno(), False)

    def _exchange(self, data: bytes, deadline: float) -> tuple[bytes, str]:
        self._send(len(data).to_bytes(8, "big"), deadline)
        self._send(data, deadline)
        header = self._receive(9, deadline)
        size = int.from_bytes(header[1:], "big")
        if header[:1] not in (b"T", b"E", b"X") or size > _MAX_REPLY_BYTES:
            raise _Died  # not a reply the reader sends
        return header[:1], self._receive(size, deadline).decode("utf-8", "replace")

    def _send(self, data: bytes, deadline: float) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        fd = self._proc.stdin.fileno()
        view = memoryview(data)
        while view:
            _wait(fd, select.POLLOUT, deadline)
            try:
                view = view[os.write(fd, view[: 2**20]) :]
            except BrokenPipeError:
                raise _Died from None

    def _receive(self, size: int, deadline: float) -> bytes:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        chunks: list[bytes] = []
        while size:
            chunk = _read_when_ready(fd, deadline, size)
            if not chunk:
                raise _Died
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _death_reason(self) -> str:
        """Why the reader stopped mid-PDF: its supervisor says how it ended and its peak
        resident memory; near the limit, it ran out of memory."""
        report = b""
        deadline = time.monotonic() + _REPORT_TIMEOUT_SECONDS
        with contextlib.suppress(_TimedOut, OSError):
            while chunk := _read_when_ready(self._status, deadline):
                report += chunk
        try:
            code, peak_kib = (int(field) for field in report.split())
        except ValueError:
            return "crashed the PDF reader"
        if peak_kib * 1024 >= _OUT_OF_MEMORY_SHARE * self.memory_limit:
            return out_of_memory(self.memory_limit)
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        return f"crashed the PDF reader ({how})"

    def _close_pipes(self) -> None:
        assert self._proc is not None
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        if self._status >= 0:
            os.close(self._status)
            self._status = -1


def _read_when_ready(fd: int, deadline: float, most: int = 2**20) -> bytes:
    """At most `most` bytes from `fd` once it is readable; b"" at its end."""
    _wait(fd, select.POLLIN, deadline)
    return os.read(fd, min(most, 2**20))


def _wait(fd: int, event: int, deadline: float) -> None:
    """Until `fd` is ready for `event`, or `_TimedOut` at `deadline`."""
    poller = select.poll()
    poller.register(fd, event)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _TimedOut
        if poller.poll(left * 1000):
            return


_reader: PdfReader | None = None
_lock = threading.Lock()
_hooked = False


def pdf_text(data: bytes, name: str) -> str:
    """The text of a PDF, read by this process's reader (started on first use)."""
    global _reader, _hooked
    with _lock:
        if _reader is None:
            if not _hooked:  # on first use, not at import: importing changes no process state
                os.register_at_fork(after_in_child=_forget_after_fork)
                atexit.register(_close_at_exit)
                _hooked = True
            _reader = PdfReader()
        return _reader.text(data, name)


def _forget_after_fork() -> None:
    global _reader, _lock
    _lock = threading.Lock()
    if _reader is not None:
        _reader.forget()
        _reader = None


def _close_at_exit() -> None:
    if _reader is not None:
        _reader.close()
