"""The repository map: tree-sitter tags, a symbol graph, ranking, budgeted rendering, a live index.

Use `RepoMap.open(root).render(MapRequest(...))`; nothing here knows about agents or editors.
"""

from orchard.repomap.api import MapRequest, RenderedMap, RepoMap
from orchard.repomap.document import TextEdit
from orchard.repomap.index import BuildStats, RepoIndex

__all__ = ["BuildStats", "MapRequest", "RenderedMap", "RepoIndex", "RepoMap", "TextEdit"]
