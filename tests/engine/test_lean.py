"""A search imports what it needs: not the parts of the standard library that Whoosh pulls in
for helpers a search never calls, nor the command line's or the TUI's libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imrsearch.engine import lean

ROOT = Path(__file__).resolve().parents[2]
NOT_NEEDED = (
    "asyncio",
    "urllib.request",
    "http.client",
    "email",
    "ssl",
    "cached_property",
    "whoosh.lang.morph_en",
    "html",
    "html.entities",
    "secrets",
    "sqlite3",
    "imrsearch.model.research",
    "decimal",
    "calendar",
    "locale",
)

_QUERY = """
import json, sys
from pathlib import Path
from imrsearch import api
with api.open_searcher(Path(sys.argv[1])) as searcher:
    total = searcher.search("drug:valium", limit=5, facets=("year",)).total
loaded = sorted(sys.modules)
from imrsearch.vocab import drugs
compiled = drugs._pattern.cache_info().currsize

# Whoosh's helpers still work, and other importers get the real modules.
import whoosh.compat, whoosh.reading
source, target = Path(sys.argv[2]) / "from.txt", Path(sys.argv[2]) / "to.txt"
source.write_text("copied")
whoosh.compat.urlretrieve(source.as_uri(), target)
import whoosh.fields
numeric = whoosh.fields.NUMERIC(int, decimal_places=2, stored=True)
from decimal import Decimal
stored = numeric.unprepare_number(numeric.prepare_number(Decimal("12.34")))
decimal_ok = [
    isinstance(stored, Decimal) and stored == Decimal("12.34"),
    isinstance(Decimal("1"), whoosh.fields.Decimal),
    not isinstance(1.5, whoosh.fields.Decimal),
    type(whoosh.fields.Decimal("2.5")) is Decimal,
]
import cached_property, urllib.request
escaped = whoosh.compat.htmlescape("<b>&")
import whoosh.query.terms
import whoosh.lang.morph_en as morph_en
import whoosh.util.times
print(json.dumps({
    "total": total,
    "compiled": compiled,
    "loaded": loaded,
    "copied": target.read_text(),
    "escaped": escaped,
    "decimal": decimal_ok,
    "variations": sorted(whoosh.query.terms.variations("render")),
    "february": [whoosh.util.times.adatetime(y, 2).ceil().day for y in (2023, 2024)],
    "real": [
        hasattr(urllib.request, "urlopen"),
        hasattr(cached_property, "threaded_cached_property"),
        hasattr(morph_en, "rules"),
    ],
}))
"""


def _run(script: str, *args: str | Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return json.loads(done.stdout)


def test_a_search_imports_none_of_whooshs_unused_helpers(samples_index: Path, tmp_path: Path):
    found = _run(_QUERY, samples_index, tmp_path)
    assert found["total"] > 0
    assert "whoosh.reading" in found["loaded"]  # the search did load Whoosh
    assert [m for m in NOT_NEEDED if m in found["loaded"]] == []
    assert not [m for m in found["loaded"] if m.split(".")[0] in ("typer", "textual", "rich")]
    assert found["compiled"] == 0  # drug:valium reached its names without the letters' regex
    assert found["copied"] == "copied"
    assert found["escaped"] == "&lt;b&gt;&amp;"
    assert found["decimal"] == [True, True, True, True]
    assert found["february"] == [28, 29]  # month lengths through the real calendar
    assert {"render", "rendered", "renders"} <= set(found["variations"])  # the real tables
    assert found["real"] == [True, True, True]


def test_stand_ins_cover_only_whooshs_own_imports() -> None:
    assert set(lean.STAND_INS) == {
        "whoosh.compat",
        "whoosh.reading",
        "whoosh.query.terms",
        "whoosh.fields",
        "whoosh.util.times",
    }
    assert any(isinstance(finder, lean._Finder) for finder in sys.meta_path)
    before = len(sys.meta_path)
    lean.install()
    assert len(sys.meta_path) == before  # installed once


def test_the_research_records_are_named_by_the_model_and_loaded_on_use() -> None:
    """`imrsearch.model` names every record of `model.research` (a query does not create
    their classes; see NOT_NEEDED), and each is the research module's own."""
    import dataclasses

    from imrsearch import model
    from imrsearch.model import research

    records = {n for n, v in vars(research).items() if dataclasses.is_dataclass(v)}
    records.discard("SearchResult")  # the model's, imported for `Similar`
    assert records == model._RESEARCH
    assert all(getattr(model, name) is getattr(research, name) for name in records)
    with pytest.raises(AttributeError):
        model.NoSuchRecord  # noqa: B018
