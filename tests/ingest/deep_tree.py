"""Folders nested deeper than Python's recursion limit or the longest path the system takes,
made and removed without recursion (pathlib, os.makedirs and shutil.rmtree all recurse)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def nested_folders(root: Path, name: str, levels: int, letter: bytes = b"") -> Iterator[None]:
    """`root/name/name/...` `levels` deep, each folder holding `letter.txt` if `letter` is
    given; made relative to open folders, so the depth is not limited by the path length."""
    fds = [os.open(root, os.O_RDONLY)]
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fds[-1])
            fds.append(os.open(name, os.O_RDONLY, dir_fd=fds[-1]))
            if letter:
                fd = os.open("letter.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fds[-1])
                os.write(fd, letter)
                os.close(fd)
        yield
    finally:
        for parent, child in zip(reversed(fds[:-1]), reversed(fds[1:]), strict=True):
            with contextlib.suppress(FileNotFoundError):
                os.unlink("letter.txt", dir_fd=child)
            os.close(child)
            os.rmdir(name, dir_fd=parent)
        os.close(fds[0])
