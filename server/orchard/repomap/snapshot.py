"""A whole symbol graph as one blob, so a warm start loads it in one step, not file by file.

The snapshot records each file's content identity (sha, language) beside its names; a warm start
adopts the files whose identity is unchanged and re-links only the rest. The graph itself is a
blob inside the blob, decoded only when the graph is first used: a warm map read back from the
cache needs the files' identities, never their names. It must not parse, rank, or touch files;
the blob is stored by cache.TagStore under the work tree's key.
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
    files: tuple[str, ...]  # the graph's files, in its order
    body: bytes  # the graph's names (see install)


def encode_snapshot(graph: SymbolGraph, identities: dict[str, Identity]) -> bytes:
    """Pack a graph and its files' identities (marshal: C speed both ways)."""
    files = {rel: (s.defines, s.references) for rel, s in graph.files.items()}
    body = marshal.dumps((files, graph.definers, graph.referencers))
    return marshal.dumps((identities, tuple(graph.files), body))


def decode_snapshot(blob: bytes) -> GraphSnapshot | None:
    """Unpack a blob written by encode_snapshot (all but the graph); None when it is not one."""
    try:
        identities, files, body = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(identities, dict) and isinstance(files, tuple) and type(body) is bytes):
        return None
    return GraphSnapshot(identities, files, body)


def install(graph: SymbolGraph, body: bytes) -> None:
    """Make an empty graph the snapshot's graph (the ranker starts afresh after a build)."""
    files, definers, referencers = marshal.loads(body)
    graph.files = {rel: FileSymbols(d, r) for rel, (d, r) in files.items()}
    graph.definers = definers
    graph.referencers = referencers
    graph.changed_files.clear()
    graph.changed_names.clear()
    graph.version += 1
