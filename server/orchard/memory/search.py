"""Hybrid search over memory: FTS5 (BM25 over code-aware words) on chunks and task texts, and
sqlite-vec nearest neighbours (binary-quantized vec0 scan, rescored by cosine on the stored
float vectors) in one embedding space, fused by reciprocal rank fusion. Reads only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from orchard.errors import MemoryStoreError
from orchard.memory.db import sqlite_errors
from orchard.memory.embedders import Vector, pack
from orchard.memory.store import MemoryStore, Space
from orchard.memory.terms import fts_match, query_terms

RRF_K = 60
CANDIDATES = 50  # full-text candidates, before fusion
VECTOR_CANDIDATES = 10  # nearest neighbours, before fusion (vec0 time grows with k)
COARSE_FACTOR = 4  # binary-quantized neighbours fetched per rescored one (vec0's cost grows with k)
# BM25 column weights: a chunk's defined name and path count more than its body.
CHUNK_WEIGHTS = (6.0, 2.0, 1.0)


@dataclass(frozen=True, slots=True)
class MemoryHit:
    """One search result: a code chunk, or a past task (with the files it changed)."""

    kind: str  # "chunk" or "task"
    score: float
    rel_path: str = ""
    start_line: int = 0
    end_line: int = 0
    name: str = ""
    text: str = ""
    task_id: str = ""
    files: tuple[str, ...] = ()
    matched_by: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """Return the hit as a JSON-ready mapping (lines 0-based, inclusive)."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "score": round(self.score, 6),
            "matchedBy": list(self.matched_by),
        }
        if self.kind == "chunk":
            data.update(
                path=self.rel_path,
                startLine=self.start_line,
                endLine=self.end_line,
                name=self.name,
                text=self.text,
            )
        else:
            data.update(task=self.task_id, request=self.text, files=list(self.files))
        return data


def fts_chunk_ids(store: MemoryStore, query: str, limit: int = CANDIDATES) -> list[int]:
    """Return chunk ids best first by BM25 over names, paths and bodies."""
    match = fts_match(query_terms(query))
    if match is None:
        return []
    weights = ", ".join(str(w) for w in CHUNK_WEIGHTS)
    rows = (
        store.reader()
        .execute(
            f"select rowid from memory_chunks_fts where memory_chunks_fts match ?"
            f" order by bm25(memory_chunks_fts, {weights}) limit ?",
            [match, limit],
        )
        .fetchall()
    )
    return [int(row[0]) for row in rows]


def vector_chunk_ids(
    store: MemoryStore, space: Space | None, vector: Vector | None, limit: int = VECTOR_CANDIDATES
) -> list[int]:
    """Return chunk ids nearest to `vector` in `space` (empty without vectors or sqlite-vec)."""
    if space is None or not vector or not store.vectors_available or not any(vector):
        return []
    if len(vector) != space.dimensions:
        return []  # a query from another space: never compare across spaces
    blob = pack(vector)
    rows = (
        store.reader()
        .execute(
            f"with coarse as (select rowid from {space.table}"
            "  where embedding match vec_quantize_binary(?1) and k = ?2)"
            " select c.id from coarse join memory_chunks c on c.id = coarse.rowid"
            " join memory_embeddings e on e.space_id = ?3 and e.sha = c.sha"
            " order by vec_distance_cosine(e.vector, ?1) limit ?4",
            [blob, limit * COARSE_FACTOR, space.id, limit],
        )
        .fetchall()
    )
    return [int(row[0]) for row in rows]


def exact_vector_chunk_ids(
    store: MemoryStore, space: Space, vector: Vector, limit: int = CANDIDATES
) -> list[int]:
    """Return the exact nearest chunks by cosine over every stored vector (a baseline)."""
    rows = (
        store.reader()
        .execute(
            "select c.id from memory_chunks c join memory_embeddings e"
            " on e.space_id = ? and e.sha = c.sha"
            " order by vec_distance_cosine(e.vector, ?) limit ?",
            [space.id, pack(vector), limit],
        )
        .fetchall()
    )
    return [int(row[0]) for row in rows]


def fts_task_ids(store: MemoryStore, query: str, limit: int = CANDIDATES) -> list[str]:
    """Return task ids best first by BM25 over their requests and findings."""
    match = fts_match(query_terms(query))
    if match is None:
        return []
    rows = (
        store.reader()
        .execute(
            "select t.task_id from memory_tasks_fts f join memory_tasks t on t.id = f.rowid"
            " where memory_tasks_fts match ? order by bm25(memory_tasks_fts) limit ?",
            [match, limit],
        )
        .fetchall()
    )
    return [str(row[0]) for row in rows]


def fuse(rankings: dict[str, Sequence[object]]) -> list[tuple[object, float, tuple[str, ...]]]:
    """Reciprocal rank fusion: each item scores the sum of 1/(k + rank) over the rankings."""
    scores: dict[object, float] = {}
    sources: dict[object, list[str]] = {}
    for source, ranking in rankings.items():
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (RRF_K + rank)
            sources.setdefault(item, []).append(source)
    ordered = sorted(scores.items(), key=lambda pair: -pair[1])
    return [(item, score, tuple(sources[item])) for item, score in ordered]


def hybrid_search(
    store: MemoryStore,
    query: str,
    vector: Vector | None,
    space: Space | None,
    limit: int = 10,
    *,
    tasks: bool = True,
) -> list[MemoryHit]:
    """Search chunks (and task texts) with both retrievers; return the fused best `limit`."""
    try:
        rankings: dict[str, Sequence[object]] = {
            "fts": [("chunk", i) for i in fts_chunk_ids(store, query)],
            "vector": [("chunk", i) for i in vector_chunk_ids(store, space, vector)],
        }
        if tasks:
            rankings["tasks"] = [("task", t) for t in fts_task_ids(store, query)]
    except sqlite_errors() as exc:
        raise MemoryStoreError(f"memory search failed: {exc}") from exc
    fused = fuse(rankings)[:limit]
    return _hits(store, fused)


def _hits(
    store: MemoryStore, fused: list[tuple[object, float, tuple[str, ...]]]
) -> list[MemoryHit]:
    chunk_ids = [key[1] for key, _, _ in fused if isinstance(key, tuple) and key[0] == "chunk"]
    chunks = store.chunks_by_id([int(i) for i in chunk_ids])
    hits: list[MemoryHit] = []
    for key, score, sources in fused:
        assert isinstance(key, tuple)
        if key[0] == "chunk":
            chunk = chunks.get(int(key[1]))
            if chunk is not None:
                hits.append(
                    MemoryHit(
                        "chunk",
                        score,
                        chunk.rel_path,
                        chunk.start_line,
                        chunk.end_line,
                        chunk.name,
                        chunk.body,
                        matched_by=sources,
                    )
                )
            continue
        rows = store.rows(
            "select t.request, group_concat(distinct h.rel_path) as files from memory_tasks t"
            " left join memory_history h on h.task_id = t.task_id where t.task_id = ?"
            " group by t.task_id",
            [key[1]],
        )
        if rows:
            files = tuple(sorted((rows[0]["files"] or "").split(","))) if rows[0]["files"] else ()
            hits.append(
                MemoryHit(
                    "task",
                    score,
                    text=rows[0]["request"],
                    task_id=str(key[1]),
                    files=files,
                    matched_by=sources,
                )
            )
    return hits
