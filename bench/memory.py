"""Memory at scale: 100,000 chunks with 384-dimension vectors (the offline embedder) in one real
SQLite file. Prints indexing throughput, database size per chunk, and query latency p50/p99 of
the hybrid search against plain FTS5-only and vec0-only queries measured in the same run
(vec0-only twice: Orchard's binary-quantized scan rescored by cosine, and an exact float vec0
table, kept in a second file so it does not inflate the size figure). Never fails on a time.

    python bench/memory.py [--chunks 100000] [--queries 200] [--seed 7] [--reuse FOLDER]

`--reuse` measures the queries again on the databases a previous run left in FOLDER.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from orchard.memory.chunking import Chunk
from orchard.memory.db import StateDatabase
from orchard.memory.embedders import OfflineEmbedder, pack
from orchard.memory.search import fts_chunk_ids, hybrid_search, vector_chunk_ids
from orchard.memory.store import MemoryStore, Space

SYLLABLES = [a + b for a in "bcdfglmnprstvz" for b in "aeiou"]
VOCABULARY = 20_000  # distinct words, drawn with Zipf's law as in real code
CHUNKS_PER_FILE = 10


def make_vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Words:
    """Zipf-distributed words (rank r has weight 1/r), as identifiers in code are."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = make_vocabulary(rng)
        weights = [1 / rank for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def identifier(self) -> str:
        parts = self.pick(self.rng.randint(1, 3))
        return "_".join(parts) if self.rng.random() < 0.6 else "".join(p.title() for p in parts)

    def query(self) -> str:
        """Two or three words of middling frequency: how people name a concept."""
        return " ".join(
            self.rng.choice(self.words[200:5000]) for _ in range(self.rng.randint(2, 3))
        )


def chunk_text(words: Words, name: str) -> str:
    body = [f"def {name}({words.identifier()}, {words.identifier()}):"]
    for _ in range(words.rng.randint(3, 12)):
        body.append(f"    {words.identifier()} = {words.identifier()}({words.identifier()})")
    body.append(f"    return {words.identifier()}")
    return "\n".join(body)


def make_files(count: int, words: Words) -> list[tuple[str, list[Chunk]]]:
    files = []
    for number in range(0, count, CHUNKS_PER_FILE):
        rel_path = f"pkg{number // 1000}/module_{number}.py"
        chunks = []
        for offset in range(min(CHUNKS_PER_FILE, count - number)):
            name = words.identifier()
            chunks.append(
                Chunk(
                    rel_path,
                    offset * 20,
                    offset * 20 + 14,
                    name,
                    "function",
                    chunk_text(words, name),
                )
            )
        files.append((rel_path, chunks))
    return files


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(run: Callable[[str], object], queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(
    store: MemoryStore,
    embedder: OfflineEmbedder,
    space: Space,
    exact: Any,
    words: Words,
    count: int,
) -> None:
    """Time the hybrid search against FTS5-only and vec0-only queries; print recall too."""
    queries = [words.query() for _ in range(count)]
    query_vectors = {q: embedder.vector(q) for q in queries}

    def hybrid(query: str) -> object:
        return hybrid_search(store, query, embedder.vector(query), space, 10, tasks=False)

    def fts_only(query: str) -> object:
        return store.chunks_by_id(fts_chunk_ids(store, query, 10))

    def vec_binary(query: str) -> object:
        return store.chunks_by_id(vector_chunk_ids(store, space, query_vectors[query], 10))

    def vec_exact(query: str) -> object:
        rows = exact.execute(
            "select rowid from exact where embedding match ? and k = 10",
            [pack(query_vectors[query])],
        ).fetchall()
        return store.chunks_by_id([int(r[0]) for r in rows])

    for run in (hybrid, fts_only, vec_binary):  # warm the page cache once
        run(queries[0])
    figures = {}
    for label, run in (
        ("hybrid (FTS5 + vec0, RRF)", hybrid),
        ("FTS5 only", fts_only),
        ("vec0 only, binary + rescore", vec_binary),
        ("vec0 only, exact float", vec_exact),
    ):
        times = timed(run, queries)
        figures[label] = statistics.median(times)
        print(
            f"{label:<30} p50 {statistics.median(times):7.2f} ms   p99"
            f" {percentile(times, 0.99):7.2f} ms"
        )
    base = figures["FTS5 only"]
    print(
        f"hybrid / FTS5-only p50: {figures['hybrid (FTS5 + vec0, RRF)'] / base:.2f}x;"
        f" exact-float vec0 / binary vec0 p50:"
        f" {figures['vec0 only, exact float'] / figures['vec0 only, binary + rescore']:.1f}x"
    )

    sample = queries[: min(50, len(queries))]
    recall = []
    for query in sample:
        ours = set(vector_chunk_ids(store, space, query_vectors[query], 10))
        truth = {
            int(r[0])
            for r in exact.execute(
                "select rowid from exact where embedding match ? and k = 10",
                [pack(query_vectors[query])],
            ).fetchall()
        }
        recall.append(len(ours & truth) / max(1, len(truth)))
    print(f"binary + rescore recall@10 against exact float: {statistics.mean(recall):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", default=None, help="folder of a previous run's databases")
    args = parser.parse_args()
    if args.reuse:
        folder = Path(args.reuse)
        store = MemoryStore(folder / "state.db")
        embedder = OfflineEmbedder(384)
        space = store.space(embedder.space)
        assert space is not None, "no vectors in that folder"
        exact = StateDatabase.at(folder / "exact.db").connect()
        print(
            f"reusing {folder}: {len(store.chunks_by_id(list(range(1, 2))))} probe,"
            f" {store.stats()['chunks']} chunks"
        )
        measure(store, embedder, space, exact, Words(random.Random(args.seed)), args.queries)
        store.close()
        return
    rng = random.Random(args.seed)
    embedder = OfflineEmbedder(384)
    folder = Path(tempfile.mkdtemp(prefix="orchard-bench-memory-"))
    store = MemoryStore(folder / "state.db")
    words = Words(rng)
    files = make_files(args.chunks, words)
    print(f"{args.chunks} chunks in {len(files)} files, 384 dimensions, sqlite file in {folder}")

    started = time.perf_counter()
    for rel_path, chunks in files:
        store.replace_file(rel_path, f"sha-{rel_path}", chunks)
    rows_seconds = time.perf_counter() - started
    stored = store.chunks()
    started = time.perf_counter()
    vectors = embedder.embed_now([c.body for c in stored])
    embed_seconds = time.perf_counter() - started
    space = store.ensure_space(embedder.space, 384)
    started = time.perf_counter()
    for first in range(0, len(stored), 1000):
        pairs = list(zip(stored[first : first + 1000], vectors[first : first + 1000], strict=True))
        store.put_vectors(space, pairs)  # type: ignore[arg-type]
    vector_seconds = time.perf_counter() - started
    total = rows_seconds + embed_seconds + vector_seconds
    print(
        f"indexing: chunks + FTS5 rows {len(stored) / rows_seconds:,.0f}/s,"
        f" offline embedding {len(stored) / embed_seconds:,.0f}/s,"
        f" vectors (cache + vec0) {len(stored) / vector_seconds:,.0f}/s;"
        f" end to end {len(stored) / total:,.0f} chunks/s ({total:.1f} s)"
    )
    store.reader().execute("pragma wal_checkpoint(truncate)")
    size = (folder / "state.db").stat().st_size
    print(f"database: {size / 1e6:.1f} MB, {size / len(stored):,.0f} bytes per chunk")

    exact = StateDatabase.at(folder / "exact.db").connect()
    exact.execute(
        "create virtual table exact using vec0(embedding float[384] distance_metric=cosine)"
    )
    with exact.conn:
        exact.conn.executemany(
            "insert into exact (rowid, embedding) values (?, ?)",
            [(c.id, pack(v)) for c, v in zip(stored, vectors, strict=True)],
        )

    measure(store, embedder, space, exact, words, args.queries)
    store.close()


if __name__ == "__main__":
    main()
