"""Shared helpers for the reliability suite: generated letters, hostile files, the CLI in a
subprocess, and the `slow` gate (slow tests run only when `-m` mentions slow)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from io import BytesIO
from pathlib import Path

import pytest

from imrsearch import api

SERVICES = (
    "Valium 10mg #90",
    "Norco 10/325mg #120",
    "Physical therapy 2 times a week for 6 weeks for the lumbar spine",
    "MRI of the right knee without contrast",
    "Lidoderm 5% patch #30",
)
_ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100", "NO_COLOR": "1"}


def pytest_collection_modifyitems(config, items):
    """Deselect this folder's `slow` tests unless the -m expression names `slow`."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    here = Path(__file__).parent
    slow = [i for i in items if i.get_closest_marker("slow") and here in Path(i.path).parents]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [i for i in items if i not in slow]


def letter_text(number: int, marker: str, items: int = 2) -> str:
    """A valid Format D letter with `items` disputed items; `marker` is in every rationale."""
    lines = [
        "HOW THE IMR FINAL DETERMINATION WAS MADE",
        "",
        "MAXIMUS Federal Services sent the complete case file to an expert reviewer.",
        "The Expert Reviewer has the following credentials:",
        "State(s) of Licensure: California",
        "Certification(s)/Specialty: Pain Management",
        "",
        "CLINICAL CASE SUMMARY",
        "",
        "The expert reviewer developed the following clinical case summary based on a review of",
        "the case file, including all medical records:",
        f"The injured worker is a {30 + number % 40} year old male, letter number {number}.",
        "",
        "IMR ISSUES, DECISIONS AND RATIONALES",
        "",
        "The Final Determination was based on decisions for the disputed items/services "
        "set forth below:",
        "",
    ]
    for item in range(items):
        outcome = "Upheld" if (number + item) % 2 == 0 else "Overturned"
        lines += [
            f"{SERVICES[(number + item) % len(SERVICES)]}: {outcome}",
            "",
            "Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment",
            "Guidelines Page(s): 24.",
            "",
            "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines",
            "Opioids Page(s): 75-80.",
            "",
            f"Decision rationale: The {marker} record for letter {number} item {item + 1} was",
            "reviewed. The request is not medically necessary.",
            "",
        ]
    return "\n".join(lines)


def make_archive(root: Path, count: int, marker: str, items: int = 2) -> None:
    """`count` letters `letterNNNNN.txt` under `root`, spread over a few subfolders."""
    for number in range(count):
        folder = root / f"batch{number % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"letter{number:05d}.txt").write_text(letter_text(number, marker, items))


def cli(
    *args: str, wrap: Sequence[str] = (), timeout: float = 300, **kwargs
) -> subprocess.CompletedProcess:
    """`python -m imrsearch ARGS` (run by the command `wrap`, if given) to completion, output
    captured as text."""
    return subprocess.run(
        [*wrap, sys.executable, "-m", "imrsearch", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_ENV,
        **kwargs,
    )


def start_cli(*args: str, log: Path) -> subprocess.Popen:
    """`python -m imrsearch ARGS` in its own session (so a test can signal the whole group),
    stderr to `log` (a pipe nobody reads could fill and stall the child)."""
    with open(log, "w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "imrsearch", *args],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=_ENV,
            start_new_session=True,
        )


def count(index: Path, word: str) -> int:
    """Decisions matching `word` in the live index (a fresh searcher every time)."""
    return api.search(word, index, limit=1).total


def file_errors(index: Path) -> dict[str, str]:
    """`imrsearch index errors --json` as {path: reason}."""
    done = cli("index", "errors", "--json", "--index", str(index))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {row["path"]: row["reason"] for row in rows}


def wait_group_gone(pgid: int, seconds: float) -> bool:
    """Whether every process of group `pgid` is gone within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def seed() -> int:
    """The seed of a test's random choices: $IMR_RELIABILITY_SEED, else 7."""
    return int(os.environ.get("IMR_RELIABILITY_SEED", "7"))


@pytest.fixture
def reaper() -> Iterator[list[int]]:
    """Process groups a test started; any still alive at the end are killed."""
    groups: list[int] = []
    yield groups
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def _pdf(writer) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def hostile_files(root: Path, sample_pdf: Path) -> dict[str, Path]:
    """Files no letter archive should hold, each named for what it is; all should be reported."""
    from pypdf import PdfReader, PdfWriter

    root.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        made[name] = root / name
        made[name].write_bytes(data)

    put("empty.txt", b"")
    put("binary.txt", random.Random(1).randbytes(20_000))
    put("only-nuls.txt", b"\x00" * 4096)
    put("not-a-letter.txt", b"Grandma's lemon cake.\n\nMix the flour and the sugar.\n" * 40)
    pdf = sample_pdf.read_bytes()
    put("truncated.pdf", pdf[: len(pdf) // 3])
    put("not-really.pdf", b"%PDF-1.7\n" + b"garbage " * 1000)
    locked = PdfWriter(clone_from=PdfReader(sample_pdf))
    locked.encrypt("secret")
    put("password.pdf", _pdf(locked))
    blank = PdfWriter()
    blank.add_blank_page(612, 792)
    put("scanned.pdf", _pdf(blank))
    bomb = PdfWriter()
    for _ in range(5000):
        bomb.add_blank_page(612, 792)
    put("bomb-5000-pages.pdf", _pdf(bomb))
    depth = 200_000
    put(
        "bomb-nested.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        b"4 0 obj " + b"[" * depth + b"]" * depth + b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    with open(root / "huge-50mb.txt", "wb") as handle:
        block = letter_text(0, "hugefile").encode()
        for _ in range(50 * 2**20 // len(block) + 1):
            handle.write(block)
    made["huge-50mb.txt"] = root / "huge-50mb.txt"
    loop = root / "loop"
    loop.mkdir()
    (loop / "back").symlink_to("..", target_is_directory=True)
    made["loop/back"] = loop / "back"
    (root / "self.txt").symlink_to("self.txt")
    made["self.txt"] = root / "self.txt"
    put("unreadable.txt", letter_text(0, "unreadable").encode())
    made["unreadable.txt"].chmod(0)
    return made


def tricky_letters(root: Path) -> dict[str, str]:
    """Odd but valid letters that must be indexed: {file name: marker word in it}."""
    root.mkdir(parents=True, exist_ok=True)
    text = letter_text(1, "{marker}").replace("reviewed.", "reviewed \u201cas is\u201d, caf\u00e9.")
    files = {
        "nul-sprinkled.txt": ("nulmarker", lambda s: s.encode().replace(b"\n\n", b"\n\x00\n")),
        "cp1252.txt": ("cpmarker", lambda s: s.encode("cp1252")),
        "utf16-bom.txt": ("utfbommarker", lambda s: s.encode("utf-16")),
        "utf16le-nobom.txt": ("utfnobommarker", lambda s: s.encode("utf-16-le")),
        "crlf.txt": ("crlfmarker", lambda s: s.replace("\n", "\r\n").encode()),
    }
    for name, (marker, encode) in files.items():
        (root / name).write_bytes(encode(text.replace("{marker}", marker)))
    return {name: marker for name, (marker, _) in files.items()}
