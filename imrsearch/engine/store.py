"""Where an index lives on disk, and how a new one replaces the old without a gap.

    index/
      CURRENT        the name of the live generation; replaced atomically (os.replace)
      gen-000007/    a complete Whoosh index plus manifest.json (archive, files, report)
      gen-000006/    the previous generation, kept so readers that opened it can finish
      .lock          held (lockf) by a running build or update; the kernel drops it on kill
      tmp-*/         a build in progress; a dead one is removed by the next build

A build or update writes a new generation beside the live one and publishes it by replacing
CURRENT, so a kill at any moment leaves the previous index answering.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from imrsearch.engine.schema import SCHEMA_VERSION
from imrsearch.errors import ImrError, IndexBusy, IndexMissing

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
_GEN_PREFIX = "gen-"
_TMP_PREFIX = "tmp-"


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def live(self) -> Path | None:
        """The live generation's folder, or None if there is no complete index."""
        try:
            name = (self.root / CURRENT).read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise IndexMissing(f"cannot read the index at {self.root}: {exc.strerror}") from None
        path = self.root / name
        return path if (path / MANIFEST).is_file() else None

    def require_live(self) -> Path:
        live = self.live()
        if live is None:
            raise IndexMissing(
                f"no index at {self.root}",
                hint="build one with: imrsearch index build ARCHIVE_DIR"
                + (f" --index {self.root}" if self.root != Path("index") else ""),
            )
        manifest = read_manifest(live)
        if manifest.get("schema_version") != SCHEMA_VERSION:
            raise IndexMissing(
                f"the index at {self.root} was built by another version of imrsearch",
                hint="rebuild it with: imrsearch index build ARCHIVE_DIR",
            )
        return live

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """One writer at a time; a killed writer's lock vanishes with its process."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the block
        except OSError as exc:
            raise ImrError(
                f"cannot write to {self.root}: {exc.strerror}",
                hint="choose an index folder you can write to with --index",
            ) from None
        try:
            try:
                # A POSIX record lock, not flock: worker processes forked while it is held
                # do not inherit it, so a killed build cannot leave it held by its workers.
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise IndexBusy(
                    f"another build or update is writing {self.root}",
                    hint="wait for it to finish; queries keep working meanwhile",
                ) from None
            self._remove_leftovers()
            yield
        finally:
            handle.close()

    def new_workspace(self, clone_live: bool = False) -> Path:
        """A fresh folder for the next generation; with `clone_live`, hard links to the live
        index's files (Whoosh never rewrites a file, so the live index stays untouched)."""
        work = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=self.root))
        live = self.live()
        if clone_live and live is not None:
            for item in live.iterdir():
                if item.is_file() and item.name != MANIFEST and not item.name.endswith(".lock"):
                    os.link(item, work / item.name)
        return work

    def publish(self, work: Path) -> Path:
        """Make `work` the live generation (atomic), then drop generations older than the last."""
        _fsync_tree(work)
        number = max((_gen_number(p) for p in self._generations()), default=0) + 1
        final = self.root / f"{_GEN_PREFIX}{number:06d}"
        os.rename(work, final)
        pointer = self.root / f"{CURRENT}.new"
        with open(pointer, "w") as handle:
            handle.write(final.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.root / CURRENT)
        _fsync_dir(self.root)
        for old in sorted(self._generations(), key=_gen_number)[:-2]:
            shutil.rmtree(old, ignore_errors=True)
        return final

    def _generations(self) -> list[Path]:
        return [p for p in self.root.glob(f"{_GEN_PREFIX}*") if p.is_dir()]

    def _remove_leftovers(self) -> None:
        """What a killed build left: its workspace, and generations never published."""
        live = self.live()
        for path in self.root.glob(f"{_TMP_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)
        for gen in self._generations():
            if live is not None and _gen_number(gen) > _gen_number(live):
                shutil.rmtree(gen, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            (self.root / f"{CURRENT}.new").unlink()

    def size_bytes(self) -> int:
        live = self.live()
        return sum(p.stat().st_size for p in live.iterdir() if p.is_file()) if live else 0


def read_manifest(generation: Path) -> dict[str, Any]:
    try:
        return json.loads((generation / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise IndexMissing(f"the index at {generation.parent} is damaged: {exc}") from None


def write_manifest(generation: Path, manifest: dict[str, Any]) -> None:
    (generation / MANIFEST).write_text(json.dumps(manifest))


def _gen_number(path: Path) -> int:
    try:
        return int(path.name[len(_GEN_PREFIX) :])
    except ValueError:
        return -1


def _fsync_tree(folder: Path) -> None:
    for item in folder.iterdir():
        if item.is_file():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
