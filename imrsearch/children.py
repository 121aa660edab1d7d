"""Set-up for the child processes a build starts: the parser workers and Whoosh's writers.

Shared by `ingest` (its worker pool) and `engine` (Whoosh's writer processes), which must not
import each other. Called in the child, never at import time.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Leave Ctrl-C to the main process (it stops the work and says so) and die with it, so a
    `kill -9` of a build leaves no child behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):  # prctl is Linux-only
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
