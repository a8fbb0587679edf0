"""MemoryStore: the memory tables of one state database behind typed methods — files and their
chunks (full-text rows and vectors kept in step), embedding spaces, and forgetting. History
lives in `history.py`, search in `search.py`. Thread-safe: one writer connection under a lock,
one reader connection per thread (WAL lets readers run while the orchestrator writes).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils

from orchard.memory.chunking import Chunk
from orchard.memory.db import StateDatabase, vector_extension_version
from orchard.memory.embedders import Vector, pack
from orchard.memory.schema import AREA, MIGRATIONS
from orchard.memory.terms import index_text

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk as stored, with its id."""

    id: int
    rel_path: str
    start_line: int
    end_line: int
    name: str
    kind: str
    sha: str
    body: str


@dataclass(frozen=True, slots=True)
class Space:
    """An embedding space: one model (or the offline embedder) at one size, one vec0 table."""

    id: int
    name: str
    dimensions: int

    @property
    def table(self) -> str:
        """The vec0 table of the space's binary-quantized vectors, keyed by chunk id."""
        return f"memory_vec_{self.id}"


class MemoryStore:
    """The memory area of one state database file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.database = StateDatabase.at(path)
        self._writer = self.database.connect(load_vec=True)
        self.vectors_available = vector_extension_version(self._writer) is not None
        self.database.migrate(self._writer, AREA, MIGRATIONS)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite_utils.Database] = []

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            for reader in self._readers:
                reader.conn.close()
            self._readers.clear()
            self._writer.conn.close()

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """Hold the writer in one transaction."""
        with self._lock, self._writer.conn:
            yield self._writer

    def reader(self) -> sqlite_utils.Database:
        """Return this thread's reader connection."""
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            db = self.database.connect(load_vec=self.vectors_available)
            self._local.db = db
            with self._lock:
                self._readers.append(db)
        return db

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a read query on this thread's reader; return dict rows."""
        cursor = self.reader().execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # Files and chunks -------------------------------------------------------------------------

    def file_shas(self) -> dict[str, tuple[str, bool]]:
        """Return every indexed file's (content sha, unsaved)."""
        rows = self.rows("select rel_path, sha, unsaved from memory_files")
        return {r["rel_path"]: (r["sha"], bool(r["unsaved"])) for r in rows}

    def replace_file(
        self, rel_path: str, sha: str, chunks: Sequence[Chunk], *, unsaved: bool = False
    ) -> list[int]:
        """Store a file's new content sha and chunks in place of its old ones; return chunk ids."""
        with self.write() as db:
            self._delete_chunks(db, "rel_path = ?", [rel_path])
            db.execute(
                "insert into memory_files (rel_path, sha, unsaved, indexed_at) values (?, ?, ?, ?)"
                " on conflict(rel_path) do update set sha = excluded.sha,"
                " unsaved = excluded.unsaved, indexed_at = excluded.indexed_at",
                [rel_path, sha, int(unsaved), time.time()],
            )
            ids = []
            for chunk in chunks:
                cursor = db.execute(
                    "insert into memory_chunks (rel_path, start_line, end_line, name, kind, sha,"
                    " body) values (?, ?, ?, ?, ?, ?, ?)",
                    [
                        rel_path,
                        chunk.start_line,
                        chunk.end_line,
                        chunk.name,
                        chunk.kind,
                        chunk.sha,
                        chunk.text,
                    ],
                )
                chunk_id = int(cursor.lastrowid or 0)
                db.execute(
                    "insert into memory_chunks_fts (rowid, name, path, body) values (?, ?, ?, ?)",
                    [
                        chunk_id,
                        index_text(chunk.name),
                        index_text(rel_path),
                        index_text(chunk.text),
                    ],
                )
                ids.append(chunk_id)
            return ids

    def forget_files(self, rel_paths: Sequence[str]) -> int:
        """Remove files with their chunks, full-text rows and vectors; return chunks removed."""
        removed = 0
        with self.write() as db:
            for rel_path in rel_paths:
                removed += self._delete_chunks(db, "rel_path = ?", [rel_path])
                db.execute("delete from memory_files where rel_path = ?", [rel_path])
            self._drop_orphan_embeddings(db)
        return removed

    def _delete_chunks(self, db: sqlite_utils.Database, where: str, params: list[Any]) -> int:
        ids = [int(r[0]) for r in db.execute(f"select id from memory_chunks where {where}", params)]
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            db.execute(f"delete from memory_chunks_fts where rowid in ({marks})", batch)
            for space in self._spaces(db):
                db.execute(f"delete from {space.table} where rowid in ({marks})", batch)
            db.execute(f"delete from memory_chunks where id in ({marks})", batch)
        return len(ids)

    def _drop_orphan_embeddings(self, db: sqlite_utils.Database) -> None:
        db.execute("delete from memory_embeddings where sha not in (select sha from memory_chunks)")

    def chunks(self, rel_path: str | None = None) -> list[StoredChunk]:
        """Return stored chunks (of one file, or all), in file and line order."""
        where, params = ("where rel_path = ?", [rel_path]) if rel_path else ("", [])
        rows = self.rows(
            "select id, rel_path, start_line, end_line, name, kind, sha, body from memory_chunks"
            f" {where} order by rel_path, start_line",
            params,
        )
        return [StoredChunk(**row) for row in rows]

    def chunks_by_id(self, ids: Sequence[int]) -> dict[int, StoredChunk]:
        """Return the chunks with these ids."""
        found: dict[int, StoredChunk] = {}
        for start in range(0, len(ids), 500):
            batch = list(ids[start : start + 500])
            marks = ",".join("?" * len(batch))
            for row in self.rows(
                "select id, rel_path, start_line, end_line, name, kind, sha, body"
                f" from memory_chunks where id in ({marks})",
                batch,
            ):
                found[row["id"]] = StoredChunk(**row)
        return found

    # Embedding spaces and vectors -------------------------------------------------------------

    def space(self, name: str) -> Space | None:
        """Return the space called `name`, if vectors were ever stored in it."""
        rows = self.rows("select id, name, dimensions from memory_spaces where name = ?", [name])
        return Space(**rows[0]) if rows else None

    def _spaces(self, db: sqlite_utils.Database) -> list[Space]:
        rows = db.execute("select id, name, dimensions from memory_spaces").fetchall()
        return [Space(int(r[0]), str(r[1]), int(r[2])) for r in rows]

    def ensure_space(self, name: str, dimensions: int) -> Space:
        """Return the space `name` of `dimensions`, creating it and its vec0 table if new."""
        with self.write() as db:
            row = db.execute(
                "select id, dimensions from memory_spaces where name = ?", [name]
            ).fetchone()
            if row is not None and int(row[1]) == dimensions:
                return Space(int(row[0]), name, dimensions)
            if row is not None:  # the same model now answers in another size: a new space
                self._drop_space(db, Space(int(row[0]), name, int(row[1])))
            cursor = db.execute(
                "insert into memory_spaces (name, dimensions, created_at) values (?, ?, ?)",
                [name, dimensions, time.time()],
            )
            space = Space(int(cursor.lastrowid or 0), name, dimensions)
            if self.vectors_available:
                db.execute(
                    f"create virtual table {space.table} using vec0(embedding bit[{dimensions}])"
                )
            return space

    def _drop_space(self, db: sqlite_utils.Database, space: Space) -> None:
        db.execute(f"drop table if exists {space.table}")
        db.execute("delete from memory_embeddings where space_id = ?", [space.id])
        db.execute("delete from memory_spaces where id = ?", [space.id])

    def unembedded(self, space: Space | None, limit: int = 10_000) -> list[StoredChunk]:
        """Return chunks that have no vector in `space` yet (all of them when it is None)."""
        if space is None:
            rows = self.rows(
                "select id, rel_path, start_line, end_line, name, kind, sha, body"
                " from memory_chunks order by id limit ?",
                [limit],
            )
        else:
            rows = self.rows(
                "select c.id, c.rel_path, c.start_line, c.end_line, c.name, c.kind, c.sha, c.body"
                " from memory_chunks c where not exists (select 1 from memory_embeddings e"
                " where e.space_id = ? and e.sha = c.sha)"
                + (
                    f" or c.id not in (select rowid from {space.table})"
                    if self.vectors_available
                    else ""
                )
                + " order by c.id limit ?",
                [space.id, limit],
            )
        return [StoredChunk(**row) for row in rows]

    def cached_vectors(self, space: Space, shas: Sequence[str]) -> dict[str, bytes]:
        """Return the cached vectors of these content shas in `space`."""
        found: dict[str, bytes] = {}
        for start in range(0, len(shas), 500):
            batch = list(shas[start : start + 500])
            marks = ",".join("?" * len(batch))
            for row in self.rows(
                "select sha, vector from memory_embeddings"
                f" where space_id = ? and sha in ({marks})",
                [space.id, *batch],
            ):
                found[row["sha"]] = row["vector"]
        return found

    def put_vectors(
        self, space: Space, items: Sequence[tuple[StoredChunk, Vector | bytes]]
    ) -> None:
        """Store each chunk's vector in `space`: in the sha cache and in the space's vec0 table."""
        with self.write() as db:
            for chunk, vector in items:
                blob = vector if isinstance(vector, bytes) else pack(vector)
                db.execute(
                    "insert or replace into memory_embeddings (space_id, sha, vector)"
                    " values (?, ?, ?)",
                    [space.id, chunk.sha, blob],
                )
                if self.vectors_available:
                    db.execute(f"delete from {space.table} where rowid = ?", [chunk.id])
                    db.execute(
                        f"insert into {space.table} (rowid, embedding)"
                        " values (?, vec_quantize_binary(?))",
                        [chunk.id, blob],
                    )

    # Forgetting and figures -------------------------------------------------------------------

    def forget_all(self) -> None:
        """Remove every memory row and vector table (the journal and map cache stay)."""
        with self.write() as db:
            for space in self._spaces(db):
                self._drop_space(db, space)
            for table in (
                "memory_history",
                "memory_tasks",
                "memory_tasks_fts",
                "memory_chunks_fts",
                "memory_chunks",
                "memory_files",
            ):
                db.execute(f"delete from {table}")

    def stats(self) -> dict[str, Any]:
        """Return counts and sizes, JSON-ready."""
        count = {
            table: int(self.reader().execute(f"select count(*) from {table}").fetchone()[0])
            for table in (
                "memory_files",
                "memory_chunks",
                "memory_embeddings",
                "memory_tasks",
                "memory_history",
            )
        }
        unsaved = (
            self.reader()
            .execute("select count(*) from memory_files where unsaved = 1")
            .fetchone()[0]
        )
        spaces = self.rows(
            "select s.name, s.dimensions, count(e.sha) as vectors from memory_spaces s"
            " left join memory_embeddings e on e.space_id = s.id group by s.id order by s.id"
        )
        return {
            "database": str(self.path),
            "bytes": _file_size(self.path),
            "files": count["memory_files"],
            "unsaved_files": int(unsaved),
            "chunks": count["memory_chunks"],
            "vectors": count["memory_embeddings"],
            "tasks": count["memory_tasks"],
            "history_rows": count["memory_history"],
            "spaces": spaces,
            "vector_search": self.vectors_available,
        }


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            total += candidate.stat().st_size
    return total
