"""The repo map's tables in the state database: tags by content, file stats, rankings, graph
snapshots and mined commits, behind typed methods. The one place their SQL is written; what the
blobs mean is `repomap/cache.py`'s. A failed write only costs a re-parse later.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchard.memory.db import connection, ensure_migrated
from orchard.repomap.cache import FORMAT as _FORMAT
from orchard.repomap.cache import decode_symbols, encode_symbols
from orchard.repomap.graph import FileSymbols

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class CachedTags:
    """A file's summary for the graph and its full tags, as stored."""

    symbols: FileSymbols
    tags_blob: bytes


@dataclass(frozen=True, slots=True)
class FileStat:
    """What a warm start compares to trust a stored content sha without reading the file."""

    size: int
    mtime_ns: int
    sha: str
    status: str
    language: str | None


def _schema_v1(db: sqlite_utils.Database) -> None:
    db.execute(
        "create table if not exists repomap_tags ("
        " sha text not null, language text not null, version text not null,"
        " symbols blob not null, tags blob not null, primary key (sha, language, version))"
    )
    db.execute(
        "create table if not exists repomap_stats ("
        " root text not null, rel_path text not null, size integer not null,"
        " mtime_ns integer not null, sha text not null, status text not null, language text,"
        " primary key (root, rel_path))"
    )
    db.execute(
        "create table if not exists repomap_commits ( sha text primary key, files text not null)"
    )


def _schema_v2(db: sqlite_utils.Database) -> None:
    # The unpersonalized ranking of a whole tree, keyed by a digest of everything it depends on.
    db.execute(
        "create table if not exists repomap_rankings ("
        " key text primary key, used integer not null, ranking blob not null)"
    )


def _schema_v3(db: sqlite_utils.Database) -> None:
    # The last indexed symbol graph of each work tree (see snapshot.py).
    db.execute(
        "create table if not exists repomap_graphs (root text primary key, graph blob not null)"
    )


STEPS = [_schema_v1, _schema_v2, _schema_v3]
_RANKINGS_KEPT = 64  # rankings and maps of a few work trees and branches of one repository


class TagStore:
    """The repo map's tables in one state database; safe to share between threads."""

    def __init__(self, db_path: Path | str, version: str) -> None:
        self.path = db_path
        self.version = f"{version}/{_FORMAT}"
        self._conn = connection(db_path)
        ensure_migrated(self._conn, db_path, "repomap", STEPS)
        self._lock = threading.Lock()
        self._errors = _error_types(self._conn)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], CachedTags]:
        """Return the cached entries among (sha, language) keys."""
        wanted = sorted(set(keys))
        found: dict[tuple[str, str], CachedTags] = {}
        with self._lock:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                shas = sorted({sha for sha, _ in chunk})
                marks = ",".join("?" * len(shas))
                rows = self._conn.execute(
                    "select sha, language, symbols, tags from repomap_tags"
                    f" where version = ? and sha in ({marks})",
                    [self.version, *shas],
                ).fetchall()
                for sha, language, symbols, tags in rows:
                    found[(sha, language)] = CachedTags(decode_symbols(symbols), tags)
        return {key: found[key] for key in wanted if key in found}

    def holds_tags(self) -> bool:
        """Tell whether any tags of this version are stored (False: a first, cold build)."""
        with self._lock:
            row = self._conn.execute(
                "select 1 from repomap_tags where version = ? limit 1", [self.version]
            ).fetchone()
        return row is not None

    def tags_blob(self, sha: str, language: str) -> bytes | None:
        """Return the stored tags blob of one content, if any."""
        with self._lock:
            row = self._conn.execute(
                "select tags from repomap_tags where sha = ? and language = ? and version = ?",
                [sha, language, self.version],
            ).fetchone()
        return bytes(row[0]) if row else None

    def put_many(self, entries: Iterable[tuple[str, str, FileSymbols, bytes]]) -> None:
        """Store (sha, language, symbols, tags blob) entries in one transaction."""
        rows = [
            (sha, language, self.version, encode_symbols(symbols), blob)
            for sha, language, symbols, blob in entries
        ]
        if not rows:
            return
        self._write(
            "insert or replace into repomap_tags (sha, language, version, symbols, tags)"
            " values (?, ?, ?, ?, ?)",
            rows,
        )

    def ranking(self, key: str) -> bytes | None:
        """Return a stored ranking blob (see rank.encode_ranking), if any."""
        with self._lock:
            row = self._conn.execute(
                "select ranking from repomap_rankings where key = ?", [f"{self.version}:{key}"]
            ).fetchone()
        return bytes(row[0]) if row else None

    def put_ranking(self, key: str, blob: bytes) -> None:
        """Store a ranking blob, keeping only the most recently stored few."""
        try:
            with self._lock, self._conn:
                used = self._conn.execute(
                    "select coalesce(max(used), 0) + 1 from repomap_rankings"
                ).fetchone()[0]
                self._conn.execute(
                    "insert or replace into repomap_rankings (key, used, ranking) values (?, ?, ?)",
                    [f"{self.version}:{key}", used, blob],
                )
                self._conn.execute(
                    "delete from repomap_rankings where used <= ?", [used - _RANKINGS_KEPT]
                )
        except self._errors as exc:
            log.warning("repo map cache write failed: %s", exc)

    def graph(self, root: str) -> bytes | None:
        """Return the stored graph snapshot of the work tree at `root`, if any."""
        with self._lock:
            row = self._conn.execute(
                "select graph from repomap_graphs where root = ?", [f"{self.version}:{root}"]
            ).fetchone()
        return bytes(row[0]) if row else None

    def put_graph(self, root: str, blob: bytes) -> None:
        """Store the graph snapshot of the work tree at `root` (one per work tree)."""
        family = root.split("#", 1)[0] + "#*"
        try:
            with self._lock, self._conn:
                self._conn.execute("delete from repomap_graphs where root glob ?", [f"*:{family}"])
                self._conn.execute(
                    "insert into repomap_graphs (root, graph) values (?, ?)",
                    [f"{self.version}:{root}", blob],
                )
        except self._errors as exc:
            log.warning("repo map cache write failed: %s", exc)

    def stats(self, root: str) -> dict[str, FileStat]:
        """Return the stored stat of every file of the work tree at `root`."""
        with self._lock:
            rows = self._conn.execute(
                "select rel_path, size, mtime_ns, sha, status, language from repomap_stats"
                " where root = ?",
                [root],
            ).fetchall()
        return {row[0]: FileStat(*row[1:]) for row in rows}

    def put_stats(self, root: str, stats: dict[str, FileStat], *, replace_all: bool) -> None:
        """Record file stats of `root`; with replace_all, forget files not in `stats`."""
        rows = [
            (root, rel, s.size, s.mtime_ns, s.sha, s.status, s.language)
            for rel, s in sorted(stats.items())
        ]
        try:
            with self._lock, self._conn:
                if replace_all:  # this work tree's rows, under any version of the rules
                    family = root.split("#", 1)[0] + "#*"
                    self._conn.execute("delete from repomap_stats where root glob ?", [family])
                self._conn.executemany(
                    "insert or replace into repomap_stats"
                    " (root, rel_path, size, mtime_ns, sha, status, language)"
                    " values (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except self._errors as exc:
            log.warning("repo map cache write failed: %s", exc)

    def forget_stats(self, root: str, rel_paths: Iterable[str]) -> None:
        """Drop the stored stats of files that are gone."""
        self._write(
            "delete from repomap_stats where root = ? and rel_path = ?",
            [(root, rel) for rel in sorted(set(rel_paths))],
        )

    def commits(self, shas: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Return the stored changed-file lists of those commits that were mined already."""
        found: dict[str, tuple[str, ...]] = {}
        with self._lock:
            for start in range(0, len(shas), _CHUNK):
                chunk = shas[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for sha, files in self._conn.execute(
                    f"select sha, files from repomap_commits where sha in ({marks})", list(chunk)
                ).fetchall():
                    found[sha] = tuple(files.split("\0")) if files else ()
        return found

    def put_commits(self, commits: dict[str, tuple[str, ...]]) -> None:
        """Store mined commits (sha -> changed files; empty for commits too large to use)."""
        rows = [(sha, "\0".join(files)) for sha, files in sorted(commits.items())]
        if rows:
            self._write("insert or replace into repomap_commits (sha, files) values (?, ?)", rows)

    def _write(self, sql: str, rows: Sequence[tuple[object, ...]]) -> None:
        try:
            with self._lock, self._conn:
                self._conn.executemany(sql, rows)
        except self._errors as exc:
            # The cache is an optimisation: a failed write costs a re-parse later, nothing more.
            log.warning("repo map cache write failed: %s", exc)


def _error_types(conn: object) -> tuple[type[Exception], ...]:
    # The connection may come from sqlean, whose errors do not derive from sqlite3's.
    module = sys.modules.get(type(conn).__module__.split(".")[0])
    other = getattr(module, "Error", sqlite3.Error)
    return (sqlite3.Error, other) if isinstance(other, type) else (sqlite3.Error,)
