"""The small facade the CLI, the TUI and the web call: build, update, search, show, info, cite,
saved searches and the research tools.

Front ends import this package and nothing below it; its modules split the facade by concern
(`location`, `indexing`, `searching`, `citations`, `saved`) and every public name is here.
"""

from __future__ import annotations

from imrsearch.api.citations import cite, cite_at, write_citations
from imrsearch.api.indexing import (
    IndexInfo,
    Progress,
    Verification,
    build,
    ensure_index,
    errors,
    info,
    parse_file,
    update,
    verify,
)
from imrsearch.api.location import DEFAULT_INDEX, ENV_INDEX, index_location, samples_dir
from imrsearch.api.saved import (
    NewMatches,
    remove_search,
    save_search,
    saved_news,
    saved_search,
    saved_searches,
)
from imrsearch.api.searching import OpenIndex, narrow, open_searcher, search, show, widen
from imrsearch.citing import STYLES as CITE_STYLES
from imrsearch.engine.registry import FACETS, FIELDS
from imrsearch.errors import IndexMissing
from imrsearch.model import SavedNews, SavedSearch

QUERY_FIELDS = FIELDS  # the query language's fields (model.QueryField), for help and completion

__all__ = [
    "CITE_STYLES",
    "DEFAULT_INDEX",
    "ENV_INDEX",
    "FACETS",
    "QUERY_FIELDS",
    "IndexInfo",
    "IndexMissing",
    "NewMatches",
    "OpenIndex",
    "Progress",
    "SavedNews",
    "SavedSearch",
    "Verification",
    "build",
    "cite",
    "cite_at",
    "ensure_index",
    "errors",
    "index_location",
    "info",
    "narrow",
    "open_searcher",
    "parse_file",
    "remove_search",
    "samples_dir",
    "save_search",
    "saved_news",
    "saved_search",
    "saved_searches",
    "search",
    "show",
    "update",
    "verify",
    "widen",
    "write_citations",
]
