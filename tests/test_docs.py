"""The README and `--help` against the field registry, row by row (as Datasette's docs tests do):
a field or alias missing from the README's field table or from the help fails here, where a
grep for the name anywhere in the text could not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imrsearch import cli
from imrsearch.engine.registry import FIELDS

README = Path(__file__).parent.parent / "README.md"
REGISTRY = {f.name: set(f.aliases) for f in FIELDS}


def field_table(markdown: str) -> dict[str, set[str]]:
    """The README's query field table: field name → aliases, from rows like
    | `drug` (`med`, `medication`) | what it searches | example |"""
    header = markdown.index("| field (aliases) |")
    table: dict[str, set[str]] = {}
    for line in markdown[header:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        first = line.split("|")[1]
        names = re.findall(r"`([^`]+)`", first)
        assert names, f"a field row without a `name`: {line}"
        table[names[0]] = set(names[1:])
    return table


def help_fields(text: str) -> dict[str, set[str]]:
    """The field rows of `imrsearch query --help`: `  name (alias, alias)  what  example`."""
    block = text.split("Fields (aliases):", 1)[1].split("Examples:", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in block.splitlines():
        found = re.match(r"\s*[│|]?\s*(\w+)(?: \(([\w, ]+)\))?\s+\S", line)
        if found:
            rows[found[1]] = set(filter(None, (found[2] or "").replace(" ", "").split(",")))
    return rows


def test_readme_field_table_matches_the_registry():
    assert field_table(README.read_text()) == REGISTRY


def test_query_help_lists_every_field_with_its_aliases():
    done = CliRunner().invoke(cli.app, ["query", "--help"], env={"COLUMNS": "120"})
    assert done.exit_code == 0
    assert help_fields(done.output) == REGISTRY


@pytest.mark.parametrize("drop", ["row", "alias"])
def test_the_docs_test_fails_when_a_row_or_alias_is_removed(drop):
    """The check above can fail: remove one README row, or one alias, and it sees it."""
    text = README.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `drug` "))
    broken = text.replace(row + "\n", "") if drop == "row" else text.replace(", `medication`", "")
    assert broken != text
    assert field_table(broken) != REGISTRY


def test_readme_keys_table_lists_every_letter_key_of_the_tui():
    """Each one-letter key the TUI binds has its row in the README's keys table."""
    from imrsearch.tui.app import ImrApp

    text = README.read_text()
    start = text.index("| key | where | what |")
    lines = text[start:].splitlines()[2:]
    rows = [line.split("|")[1] for line in lines[: [line[:1] for line in lines].index("")]]
    documented = {key for row in rows for key in re.findall(r"`(\w)`", row)}
    bound = {
        key
        for binding in ImrApp.BINDINGS
        for key in getattr(binding, "key", "").split(",")
        if len(key) == 1 and key.isalpha()
    }
    assert {"a", "o"} <= bound
    assert bound <= documented, bound - documented
