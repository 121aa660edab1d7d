"""Whoosh without the start-up cost of imports it never uses.

Five of Whoosh's modules import what a search does not touch: `whoosh.compat` imports
`urllib.request` (and with it http, email and ssl) for a download helper nothing calls and
`html` (with its table of entities) for the HTML escaping of a highlighter we do not use,
`whoosh.reading` takes one decorator from the `cached_property` package, which imports
`asyncio`, and `whoosh.query.terms` imports the English morphology tables (hundreds of
regular expressions compiled at import) for a `Variations` query our parser never builds,
and `whoosh.fields` imports `decimal` for NUMERIC fields of Decimal values, which our schema
does not have (its stand-in converts and checks through the real `decimal` when used; only
`NUMERIC(Decimal, ...)` itself is unsupported, as the field compares the type by identity),
and `whoosh.util.times` imports `calendar` (and `locale`, 1.9 ms) for the month lengths of
its relative-date parser, which ours replaces. Together they were about a fifth of a cold
`imrsearch query`.

`install()` (run by `imrsearch.engine` before any of its modules imports Whoosh) adds an
import finder for just those modules: while each one runs its own code, the name it imports
is a small stand-in (a `urlretrieve`, an `escape`, a `variations`, a `monthrange` and a
`Decimal` that import the real one when used, and the standard library's
`functools.cached_property`); once it has run, the stand-in is gone from `sys.modules`, so any
other importer gets the real module.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any


def _calling_through(name: str, function: str) -> Callable[[], types.ModuleType]:
    """A maker of a stand-in for module `name` whose `function` imports the real module and
    calls it: only when called, long after the stand-in is gone from `sys.modules`."""

    def make() -> types.ModuleType:
        module = types.ModuleType(name, "Stand-in while one of Whoosh's modules is imported.")

        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(importlib.import_module(name), function)(*args, **kwargs)

        setattr(module, function, call)
        return module

    return make


def _cached_property() -> types.ModuleType:
    module = types.ModuleType("cached_property", "Stand-in while whoosh.reading is imported.")
    module.cached_property = functools.cached_property  # type: ignore[attr-defined]
    return module


class _LazyDecimalType(type):
    """Calls and isinstance checks of the stand-in `Decimal` go to the real one. Until the
    `decimal` module is imported nothing can be a real Decimal, so the check needs no import."""

    def __instancecheck__(cls, instance: Any) -> bool:
        real = sys.modules.get("decimal")
        return real is not None and isinstance(instance, real.Decimal)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        from decimal import Decimal

        return Decimal(*args, **kwargs)


def _decimal() -> types.ModuleType:
    module = types.ModuleType("decimal", "Stand-in while whoosh.fields is imported.")
    module.Decimal = _LazyDecimalType("Decimal", (), {})  # type: ignore[attr-defined]
    return module


# Whoosh's module → the modules it imports and the stand-ins used while it runs.
STAND_INS: dict[str, dict[str, Callable[[], types.ModuleType]]] = {
    "whoosh.compat": {
        "urllib.request": _calling_through("urllib.request", "urlretrieve"),
        "html": _calling_through("html", "escape"),
    },
    "whoosh.reading": {"cached_property": _cached_property},
    "whoosh.query.terms": {
        "whoosh.lang.morph_en": _calling_through("whoosh.lang.morph_en", "variations"),
    },
    "whoosh.fields": {"decimal": _decimal},
    "whoosh.util.times": {"calendar": _calling_through("calendar", "monthrange")},
}


class _Loader:
    """The real loader, with stand-ins in `sys.modules` only while the module executes."""

    def __init__(self, real: Any, stand_ins: dict[str, Callable[[], types.ModuleType]]) -> None:
        self._real = real
        self._stand_ins = stand_ins

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        placed = {}
        for name, make in self._stand_ins.items():
            if name not in sys.modules:  # already imported: nothing to save
                placed[name] = sys.modules[name] = make()
        try:
            self._real.exec_module(module)
        finally:
            for name, stand_in in placed.items():
                if sys.modules.get(name) is stand_in:
                    del sys.modules[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _Finder:
    """Finds the modules of `STAND_INS` as Python would, and wraps their loader."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        stand_ins = STAND_INS.get(name)
        if stand_ins is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            # Duck-typed: importing importlib.abc for the base class costs importlib.resources.
            spec.loader = _Loader(spec.loader, stand_ins)  # type: ignore[assignment]
        return spec


def install() -> None:
    """Add the finder once, first in line (a no-op for modules Whoosh already imported)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
