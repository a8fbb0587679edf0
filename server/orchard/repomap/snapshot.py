"""A whole symbol graph as one blob, so a warm start loads it in one step, not file by file.

The snapshot records each file's content identity (sha, language) beside its names; a warm start
adopts the files whose identity is unchanged and re-links only the rest. It must not parse,
rank, or touch files; the blob is stored by cache.TagStore under the work tree's key.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass

from orchard.repomap.graph import FileSymbols, SymbolGraph

Identity = tuple[str, str | None]  # (content sha, language)


@dataclass(frozen=True, slots=True)
class GraphSnapshot:
    """The graph of a work tree as last indexed, with each file's content identity."""

    identities: dict[str, Identity]
    files: dict[str, tuple[tuple[str, ...], tuple[tuple[str, int], ...]]]
    definers: dict[str, set[str]]
    referencers: dict[str, dict[str, int]]


def encode_snapshot(graph: SymbolGraph, identities: dict[str, Identity]) -> bytes:
    """Pack a graph and its files' identities (marshal: C speed both ways)."""
    files = {rel: (s.defines, s.references) for rel, s in graph.files.items()}
    return marshal.dumps((identities, files, graph.definers, graph.referencers))


def decode_snapshot(blob: bytes) -> GraphSnapshot | None:
    """Unpack a blob written by encode_snapshot; None when it is not one."""
    try:
        identities, files, definers, referencers = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    return GraphSnapshot(identities, files, definers, referencers)


def install(graph: SymbolGraph, snapshot: GraphSnapshot) -> None:
    """Make an empty graph the snapshot's graph (the ranker starts afresh after a build)."""
    graph.files = {rel: FileSymbols(d, r) for rel, (d, r) in snapshot.files.items()}
    graph.definers = snapshot.definers
    graph.referencers = snapshot.referencers
    graph.changed_files.clear()
    graph.changed_names.clear()
    graph.version += 1
