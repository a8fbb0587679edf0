"""Which languages the repo map can tag: those with a query of ours in `queries/`. The table of
which language a file is in is the neutral `orchard.languages`, re-exported here for the map.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from orchard.languages import language_for, looks_like_cpp

__all__ = ["language_for", "languages_with_tags", "looks_like_cpp"]


@cache
def languages_with_tags() -> frozenset[str]:
    """Return the languages that have a tags query shipped in `repomap/queries/`."""
    suffix = "-tags.scm"
    folder = files("orchard.repomap") / "queries"
    return frozenset(
        entry.name[: -len(suffix)] for entry in folder.iterdir() if entry.name.endswith(suffix)
    )
