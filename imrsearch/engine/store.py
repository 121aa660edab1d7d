"""Where an index lives on disk, how a new one replaces the old without a gap, and how the
folder is kept safe: imrsearch removes nothing in it that it did not make and write down.

    index/
      .imrsearch-index    the marker: this folder is an imrsearch index (format, version)
      .imrsearch-journal  every workspace and generation name, written before it is made
      CURRENT             the name of the live generation; replaced atomically (os.replace)
      gen-000007/         a complete Whoosh index, manifest.sqlite (archive, files, report) and
                          generation.json (every file's size and sha256, see `integrity`)
      gen-000006/         the previous generation, kept so readers that opened it can finish
      .lock               held (lockf) by a running build or update; the kernel drops it on kill
      tmp-<16 hex>/       a build in progress; a dead one is removed by the next build

A build or update writes a new generation beside the live one and publishes it by replacing
CURRENT, so a kill at any moment leaves the previous index answering. A build takes only a
folder that is new, empty, holds just a `.gitignore`, or carries the marker; it removes only
names in the journal, so a file someone put in the folder, whatever its name, stays (see
`folder`). Every open checks the live generation before Whoosh reads it (see `integrity`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from imrsearch.engine import folder, integrity
from imrsearch.engine.folder import GEN, MANIFEST, TMP, TRUST_HINT
from imrsearch.engine.schema import SCHEMA_VERSION
from imrsearch.errors import ImrError, IndexDamaged, IndexMissing, IndexUnsafe

CURRENT = "CURRENT"
# How long the first query waits for another process's first build of the same folder.
FIRST_BUILD_WAIT = 180.0


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ---- reading ------------------------------------------------------------------------

    def pointer(self) -> str | None:
        """What CURRENT says (stripped), or None if there is no CURRENT."""
        try:
            return (self.root / CURRENT).read_text(errors="replace").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise IndexMissing(f"cannot read the index at {self.root}: {exc.strerror}") from None

    def live(self) -> Path | None:
        """The live generation's folder, or None if nothing was ever published; a CURRENT that
        names no generation is damage, not an empty index."""
        name = self.pointer()
        if name is None:
            return None
        path = self.root / name
        if not GEN.fullmatch(name) or not stat.S_ISDIR(folder.lstat_mode(path)):
            raise IndexDamaged(
                f"the index at {self.root} is damaged: its live generation "
                f"'{name[:40]}' (named by {CURRENT}) is missing",
                hint=self._rebuild_hint(),
            )
        return path

    def require_live(self, full: bool = False) -> Path:
        """The live generation, checked before Whoosh reads it: the marker, who can write the
        folder, and the generation's files (sizes and the TOC's checksum; with `full`, every
        checksum). Raises IndexMissing, IndexUnsafe or IndexDamaged."""
        self._require_marked()
        folder.refuse_unsafe(self.root)
        folder.refuse_unsafe(self.root / CURRENT)
        live = self.live()
        if live is None:
            raise IndexMissing(
                f"no index at {self.root}: the build that started there did not finish",
                hint=self._build_hint(),
            )
        result = integrity.check(live, full=full)
        if result.unsafe:
            raise IndexUnsafe(
                f"refusing to open the index at {self.root}: {result.unsafe[0]}", hint=TRUST_HINT
            )
        if result.problems:
            raise self.damaged(result.problems)
        if result.index_schema != SCHEMA_VERSION:
            raise IndexMissing(
                f"the index at {self.root} was built by another version of imrsearch",
                hint=self._rebuild_hint(),
            )
        return live

    def verify(self) -> tuple[str, integrity.Check]:
        """The full check of the live generation: its name and what was found (never raises for
        damage; raises IndexMissing if there is no index to check)."""
        self._require_marked()
        name = self.pointer()
        if name is None:
            raise IndexMissing(f"no index at {self.root}", hint=self._build_hint())
        if GEN.fullmatch(name) and stat.S_ISDIR(folder.lstat_mode(self.root / name)):
            result = integrity.check(self.root / name, full=True)
        else:
            result = integrity.Check(problems=[f"{CURRENT}: names '{name[:40]}', which is missing"])
        root_unsafe = integrity.unsafe_reason(self.root)
        if root_unsafe:
            result.unsafe.insert(0, f"{self.root}: {root_unsafe}")
        return name, result

    def damaged(self, problems: list[str]) -> IndexDamaged:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return IndexDamaged(
            f"the index at {self.root} is damaged: {problems[0]}{more}",
            hint=self._rebuild_hint() + "; `imrsearch index verify` lists every damaged file",
        )

    def size_bytes(self) -> int:
        live = self.live()
        return sum(p.stat().st_size for p in live.iterdir() if p.is_file()) if live else 0

    # ---- writing ------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self, archive: Path | None = None, wait: float = 0.0) -> Iterator[bool]:
        """One writer at a time; a killed writer's lock vanishes with its process. Refuses a
        folder that is not an index and not empty, and one that is or holds the archive. Yields
        whether this call took the folder (marked it as a new index); waits up to `wait`
        seconds for another writer."""
        self.check_location(archive)
        folder.claim(self.root)
        try:
            handle = open(self.root / folder.LOCK, "a+")  # noqa: SIM115 - held for the block
        except OSError as exc:
            raise ImrError(
                f"cannot write to {self.root}: {exc.strerror}",
                hint="choose an index folder you can write to with --index",
            ) from None
        try:
            folder.lock(handle, self.root, wait)
            taken = not folder.marked(self.root)
            try:
                if taken:
                    folder.claim(self.root)  # again, now that no other build can be taking it
                    folder.mark(self.root)
                self._remove_leftovers()
            except OSError as exc:
                raise ImrError(  # the reason first: a long path must not wrap it apart
                    f"cannot write to the index folder ({exc.strerror}): {self.root}",
                    hint="choose an index folder you can write to with --index; "
                    "the previous index is unchanged",
                ) from None
            yield taken
        finally:
            handle.close()

    def check_location(self, archive: Path | None = None) -> None:
        """Refuse `/`, the home folder, and the archive itself or a folder inside or around it."""
        folder.check_location(self.root, archive)

    def new_workspace(self, clone_live: bool = False) -> Path:
        """A fresh folder for the next generation, its name written in the journal before it is
        made; with `clone_live`, hard links to the live index's files (Whoosh never rewrites a
        file, so the live index stays untouched) but the manifest, which the writer copies."""
        while True:
            name = f"tmp-{os.urandom(8).hex()}"  # as secrets.token_hex, without its hashlib
            if not os.path.lexists(self.root / name):
                break
        folder.record(self.root, name)
        work = self.root / name
        os.mkdir(work, 0o700)
        live = self.live()
        if clone_live and live is not None:
            for item in integrity.listed(live):
                if item != MANIFEST:
                    os.link(live / item, work / item)
        return work

    def publish(self, work: Path) -> Path:
        """Make `work` the live generation (atomic), then drop recorded generations older than
        the last two."""
        integrity.record(work, SCHEMA_VERSION, linked_from=self._pointed())
        _fsync_tree(work)
        # Past every gen-NNNNNN name in the folder, made here or not, and past CURRENT's.
        names = [*os.listdir(self.root), self.pointer() or ""]
        number = max((folder.number(n) for n in names if GEN.fullmatch(n)), default=0) + 1
        final = self.root / f"gen-{number:06d}"
        folder.record(self.root, final.name)
        os.rename(work, final)
        pointer = self.root / f"{CURRENT}.new"
        folder.write_synced(pointer, final.name + "\n")
        os.replace(pointer, self.root / CURRENT)
        folder.fsync_dir(self.root)
        # Published: from here on a failure leaves at most an old generation for the next run.
        with contextlib.suppress(OSError):
            made = [n for n in folder.recorded(self.root) if GEN.fullmatch(n)]
            for old in sorted(made, key=folder.number)[:-2]:
                folder.remove_dir(self.root / old)
            folder.rewrite_journal(self.root)
        return final

    def _remove_leftovers(self) -> None:
        """What a killed build left: its workspace, and a generation it renamed but never
        published; both only if the journal says this tool made them."""
        name = self.pointer()
        live = folder.number(name) if name is not None and GEN.fullmatch(name) else None
        for made in folder.recorded(self.root):
            if TMP.fullmatch(made):
                folder.remove_dir(self.root / made)
            elif name is None or (live is not None and folder.number(made) > live):
                folder.remove_dir(self.root / made)  # renamed, but CURRENT never named it
        with contextlib.suppress(FileNotFoundError):
            (self.root / f"{CURRENT}.new").unlink()
        folder.rewrite_journal(self.root)

    def _require_marked(self) -> None:
        if folder.marked(self.root):
            return
        if self.pointer() is None:
            raise IndexMissing(f"no index at {self.root}", hint=self._build_hint())
        raise IndexMissing(
            f"{self.root} holds no index this version of imrsearch can read "
            f"(it has no {folder.MARKER} file)",
            hint="build a new index in a new folder: imrsearch index build ARCHIVE_DIR "
            "--index NEW_DIR (an index made by an older imrsearch: delete it yourself first)",
        )

    def _pointed(self) -> Path | None:
        name = self.pointer()
        return self.root / name if name and GEN.fullmatch(name) else None

    def _build_hint(self) -> str:
        return "build one with: imrsearch index build ARCHIVE_DIR" + self._index_option()

    def _rebuild_hint(self) -> str:
        return "rebuild it with: imrsearch index build ARCHIVE_DIR" + self._index_option()

    def _index_option(self) -> str:
        return f" --index {self.root}" if self.root != Path("index") else ""


def _fsync_tree(work: Path) -> None:
    for item in work.iterdir():
        if item.is_file():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
    folder.fsync_dir(work)
