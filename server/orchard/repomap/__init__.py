"""The repository map: tree-sitter tags, a symbol graph, ranking, budgeted rendering, a live index.

Use `RepoMap.open(root).render(MapRequest(...))`; nothing here knows about agents or editors.
The names below load on first use, so importing a light module of the package (`live`) does
not pay for tree-sitter and the index (the language server answers `initialize` sooner).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchard.repomap.api import MapRequest, RenderedMap, RepoMap
    from orchard.repomap.document import TextEdit
    from orchard.repomap.index import BuildStats, RepoIndex

_HOMES = {
    "MapRequest": "orchard.repomap.api",
    "RenderedMap": "orchard.repomap.api",
    "RepoMap": "orchard.repomap.api",
    "TextEdit": "orchard.repomap.document",
    "BuildStats": "orchard.repomap.index",
    "RepoIndex": "orchard.repomap.index",
}

__all__ = ["BuildStats", "MapRequest", "RenderedMap", "RepoIndex", "RepoMap", "TextEdit"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'orchard.repomap' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
