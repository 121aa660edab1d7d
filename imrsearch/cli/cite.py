"""`query --cite`: citation blocks on stdout, or every hit's citation to a new file."""

from __future__ import annotations

import sys
from itertools import islice
from pathlib import Path

from imrsearch import api
from imrsearch.cli.common import pipe_closes_quietly, print_plain, stderr
from imrsearch.errors import EXIT_MATCH, EXIT_NO_MATCH, ImrError
from imrsearch.render.terminal import for_terminal


def print_citations(
    searcher: api.OpenIndex,
    text: str,
    sort: str,
    limit: int | None,
    style: str,
    path: Path | None,
) -> int:
    """Cite the hits of `text` (the first `limit`); how many matched in all (on stdout) or how
    many were written (to `path`)."""
    if path is not None:
        hits = searcher.iter_hits(text, sort=sort)
        try:
            written = api.write_citations(
                hits if limit is None else islice(hits, limit), path, style
            )
        except FileExistsError:
            raise ImrError(
                f"'{for_terminal(str(path), single_line=True)}' exists: not overwritten",
                hint="give a new file name",
            ) from None
        except OSError as exc:
            raise ImrError(f"cannot write '{path}': {exc.strerror or exc}") from None
        shown = for_terminal(str(path), single_line=True)
        print_plain(stderr(), f"{written:,} citation(s) written to {shown}")
        return written
    result = searcher.search(text, limit=limit, sort=sort)
    with pipe_closes_quietly(EXIT_MATCH if result.total else EXIT_NO_MATCH):
        for n, hit in enumerate(result.hits):
            block = api.cite(hit, style)
            # letters are hostile: every character a terminal could act on is made visible
            sys.stdout.write(("\n" if n else "") + for_terminal(block))
        sys.stdout.flush()
    return result.total
