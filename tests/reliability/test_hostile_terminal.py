"""A hostile archive against the terminal: escape sequences in letter text and file names,
checked in the bytes the CLI writes to a real pseudo-terminal; markup and `@click` actions in
every TUI surface; exports and excerpts against planted symlinks and formula cells."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imrsearch import api
from imrsearch.render.machine import write_csv
from imrsearch.render.terminal import for_terminal
from imrsearch.vocab.paths import display_path
from tests.reliability.conftest import letter_text

OSC52 = "\x1b]52;c;cm0gLXJmIH4vKg==\x07"  # puts `rm -rf ~/*` on the clipboard
TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b2J"
BIDI = "\u202e"
UNTERMINATED = "\x1b]52;c;"  # an OSC left open swallows what follows, until a BEL
HOSTILE_TEXT = f"{OSC52}{TITLE}{CLEAR}{C1_CSI}{BIDI}"
# What none of the terminal bytes may contain: OSC, screen clearing, BEL, the 8-bit CSI in
# UTF-8, a raw bidi override.
FORBIDDEN = (b"\x1b]", b"\x1b[2J", b"\x07", b"\xc2\x9b", BIDI.encode())
MARKUP = "[@click=app.screenshot('owned.svg')]Pain[/] [/ [bold]Management"
MARKER = "hostilemarker"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An archive whose letters and names attack the terminal, and its index."""
    root = tmp_path_factory.mktemp("hostile")
    archive = root / "[IMR] letters"
    archive.mkdir()
    text = letter_text(1, MARKER).replace(
        "Certification(s)/Specialty: Pain Management", f"Certification(s)/Specialty: {MARKUP}"
    )
    text = text.replace(f"The {MARKER} record", f"The {MARKER} {HOSTILE_TEXT} record")
    text = text.replace("reviewed. The request", f"reviewed {UNTERMINATED}. The request")
    text = text.replace("Norco 10/325mg #120", '=HYPERLINK("http://evil.example/x")')
    letter = archive / f"evil{TITLE}[@click=app.quit]x\nline.txt"
    letter.write_text(text)
    (archive / f"bad{TITLE}.pdf").write_bytes(b"%PDF-1.4 not really")
    index = root / "index"
    api.build(archive, index, workers=1)
    return {"root": root, "archive": archive, "letter": letter, "index": index}


def run_on_tty(*args: str, cwd: Path | None = None) -> tuple[int, bytes]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; every byte it wrote."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "imrsearch", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=30), bytes(out)


def assert_safe(output: bytes) -> None:
    for sequence in FORBIDDEN:
        assert sequence not in output, (sequence, output[:2000])
    assert b"Traceback" not in output


@pytest.mark.parametrize(
    "command",
    [
        ("query", MARKER),
        ("query", MARKER, "--csv"),
        ("query", MARKER, "--facet", "specialty,drug"),
        ("query", "specialty:management", "--facet", "specialty"),
        ("show", "{letter}"),
        ("show", "{letter}", "--query", MARKER),
        ("parse", "{letter}"),
        ("index", "errors"),
        ("index", "info"),
        ("query", f"{MARKER} {OSC52}"),  # the query itself, echoed in a message
        ("show", f"no-such{TITLE}"),  # an error message quoting the argument
    ],
    ids=lambda c: "-".join(a for a in c if a.isalnum())[:40] or "x",
)
def test_escape_sequences_never_reach_the_terminal(hostile, command):
    letter = api.show(display_path(hostile["letter"]), hostile["index"]).path
    assert letter == api.show(str(hostile["letter"]), hostile["index"]).path  # raw path too
    args = [a.replace("{letter}", letter) for a in command]
    if args[0] != "parse":
        args += ["--index", str(hostile["index"])]
    code, output = run_on_tty(*args)
    assert code in (0, 1, 2), output
    assert_safe(output)


def test_the_hostile_text_is_shown_visibly_not_dropped(hostile):
    _, output = run_on_tty("query", MARKER, "--index", str(hostile["index"]), "--limit", "1")
    shown = output.decode()
    assert "␛]52;c;cm0gLXJmIH4vKg==␇" in shown  # what the letter holds, made visible
    assert "<U+009B>2J" in shown and "<U+202E>" in shown


def test_json_stays_exact_and_carries_no_raw_controls(hostile):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "imrsearch",
            "show",
            str(hostile["letter"]),
            "--json",
            "--index",
            str(hostile["index"]),
        ],
        capture_output=True,
        check=True,
    )
    for raw in (b"\x1b", b"\x07", b"\xc2\x9b", BIDI.encode()):
        assert raw not in result.stdout
    data = json.loads(result.stdout)
    rationale = data["decisions"][0]["rationale"]
    assert OSC52 in rationale and C1_CSI in rationale and BIDI in rationale  # exact


def test_csv_cells_that_look_like_formulas_are_neutralised(hostile):
    with api.open_searcher(hostile["index"]) as searcher:
        hits = list(searcher.iter_hits(MARKER))
    guarded, raw = io.StringIO(), io.StringIO()
    write_csv(hits, guarded)
    write_csv(hits, raw, formulas=True)
    services = [row["service"] for row in csv.DictReader(io.StringIO(guarded.getvalue()))]
    assert '\'=HYPERLINK("http://evil.example/x")' in services
    raw_services = [row["service"] for row in csv.DictReader(io.StringIO(raw.getvalue()))]
    assert '=HYPERLINK("http://evil.example/x")' in raw_services
    # saved (not on a terminal), the rest of the cell is exact
    assert any(OSC52 in row["snippet"] for row in csv.DictReader(io.StringIO(raw.getvalue())))


def test_csv_formula_guard_can_be_turned_off_from_the_cli(hostile):
    def service_cells(*flags: str) -> list[str]:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "imrsearch",
                "query",
                MARKER,
                "--csv",
                *flags,
                "--index",
                str(hostile["index"]),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [row["service"] for row in csv.DictReader(io.StringIO(out))]

    assert '\'=HYPERLINK("http://evil.example/x")' in service_cells()
    assert '=HYPERLINK("http://evil.example/x")' in service_cells("--csv-formulas")


def test_for_terminal_leaves_nothing_a_terminal_acts_on():
    every = "".join(chr(c) for c in range(0x00, 0xA0)) + BIDI + "\udcff"
    safe = for_terminal(every)
    assert all(ch in "\n\t" or 0x20 <= ord(ch) < 0x7F or ord(ch) >= 0xA0 for ch in safe)
    assert "\u202e" not in safe and "\udcff" not in safe and "\\xff" in safe
    assert "\n" not in for_terminal("a\nb", single_line=True)
    assert for_terminal("plain words, [brackets] and é") == "plain words, [brackets] and é"


# --- the TUI -----------------------------------------------------------------------------


def _tui(index: Path, query: str, scenario) -> None:
    from imrsearch.tui.app import make_app

    async def run() -> None:
        app = make_app(index=index, query=query)
        async with app.run_test(size=(140, 45)) as pilot:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            await scenario(app, pilot)
            assert app.is_running

    asyncio.run(run())


def _plain(renderable) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_tui_shows_markup_from_letters_literally_and_clicking_it_does_nothing_else(
    hostile, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)

    async def scenario(app, pilot):
        from imrsearch.tui.widgets import FacetPanel, ResultList

        facets = app.query_one(FacetPanel)
        shown = [_plain(facets.get_option_at_index(i).prompt) for i in range(facets.option_count)]
        assert any(MARKUP in line for line in shown), shown
        results = app.query_one(ResultList)
        label = _plain(results.get_option_at_index(0).prompt)
        assert "[@click=app.quit]x" in label and "\x1b" not in label
        # choose the crafted specialty: the query narrows to it, nothing else happens
        index = next(i for i, line in enumerate(shown) if MARKUP in line)
        facets.focus()
        facets.highlighted = index
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert MARKUP in app.query_one("#query").value
        await pilot.click(FacetPanel)
        await pilot.pause()
        assert not list(tmp_path.rglob("owned.svg"))
        # the preview's title and the `p` notification quote the path literally
        results.focus()
        await pilot.press("p")
        await pilot.pause()
        told = [n.message for n in app._notifications]
        assert any("[IMR] letters" in m and "[@click=app.quit]x" in m for m in told), told
        assert not any("\x1b" in m or "\n" in m for m in told)

    _tui(hostile["index"], MARKER, scenario)


def test_tui_cite_refuses_a_planted_symlink_and_survives_a_deleted_folder(
    hostile, tmp_path, monkeypatch
):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    work = tmp_path / "work"
    work.mkdir()
    (work / "imrsearch-excerpts.txt").symlink_to(target)
    monkeypatch.chdir(work)

    async def scenario(app, pilot):
        from imrsearch.tui.widgets import ResultList

        app.query_one(ResultList).focus()
        await pilot.press("c")
        await pilot.pause()
        assert target.read_text() == "keep me"
        assert any("could not write" in n.message for n in app._notifications)
        (work / "imrsearch-excerpts.txt").unlink()
        work.rmdir()  # the working folder vanishes under the app
        await pilot.press("c")
        await pilot.pause()
        assert sum("could not write" in n.message for n in app._notifications) == 2

    _tui(hostile["index"], MARKER, scenario)


def test_exports_never_write_through_a_planted_symlink(hostile, tmp_path, monkeypatch):
    from datetime import datetime

    from imrsearch.tui import backend

    frozen = datetime(2026, 1, 2, 3, 4, 5)

    class Clock:
        @staticmethod
        def now() -> datetime:
            return frozen

    monkeypatch.setattr(backend, "datetime", Clock)
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    planted = tmp_path / "imrsearch-results-20260102-030405.csv"
    planted.symlink_to(target)
    path, rows = backend.Backend(hostile["index"]).export(MARKER, "csv", tmp_path)
    assert target.read_text() == "keep me" and planted.is_symlink()
    assert path.name == "imrsearch-results-20260102-030405-2.csv" and rows >= 1


def test_a_newline_in_a_file_name_never_adds_a_line_to_an_excerpt(hostile):
    """Finding 8: a citation (what the excerpts file gets) has exactly its three lines,
    whatever the name."""
    with api.open_searcher(hostile["index"]) as opened:
        hit = next(iter(opened.iter_hits(MARKER)))
    assert "\\x0a" in hit.path  # the newline of the name, in its display form
    lines = api.cite(hit).splitlines()
    assert len(lines) == 3  # the citation, the quoted passage, the source
    assert lines[-1].startswith("Source: ") and "line.txt" in lines[-1]


def test_a_query_reads_no_manifest(hostile, monkeypatch):
    """Finding 8: the query path reads the small per-generation file, never the manifest
    (which lists every file of the archive: hundreds of MB at two million)."""
    import sqlite3

    def refuse(*_args, **_kwargs):
        raise AssertionError("the manifest was opened on the query path")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    assert api.search(MARKER, hostile["index"]).total >= 1
    assert api.show(display_path(hostile["letter"]), hostile["index"]).decisions
