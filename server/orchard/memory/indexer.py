"""Keeping chunks and vectors up to date: a repository's files (re-chunked only when a file's
content sha changes), an editor buffer (stored as unsaved), and embedding what has no vector in
the current space, in batches, from the sha cache first. SQL goes through `MemoryStore`, on
worker threads; only embedding awaits on the loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchard.config import MemorySettings, RepoMapSettings
from orchard.memory.chunking import chunk_file
from orchard.memory.embedders import Embedder
from orchard.memory.store import MemoryStore, Space, StoredChunk
from orchard.repomap.scan import FileStatus, list_files, read_content

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
EMBED_BATCH = 64


@dataclass(slots=True)
class IndexReport:
    """What one indexing pass did."""

    files: int = 0
    rechunked: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    from_cache: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON-ready mapping."""
        return {
            "files": self.files,
            "rechunked": list(self.rechunked),
            "removed": list(self.removed),
            "chunks": self.chunks,
            "embedded": self.embedded,
            "fromCache": self.from_cache,
            "seconds": round(self.seconds, 3),
        }


def content_sha(data: bytes) -> str:
    """Return the key a file's content is indexed under."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def rechunk_repository(
    store: MemoryStore,
    root: Path,
    settings: MemorySettings,
    repomap: RepoMapSettings,
    progress: Progress | None = None,
) -> IndexReport:
    """Re-chunk the files whose content changed since they were indexed; drop vanished ones."""
    started = time.monotonic()
    report = IndexReport()
    paths = list_files(root, repomap.exclude)
    known = store.file_shas()
    for done, rel_path in enumerate(paths, start=1):
        content = read_content(root / rel_path, repomap.max_file_bytes)
        if content.status is not FileStatus.SOURCE or content.data is None:
            continue
        report.files += 1
        sha = content_sha(content.data)
        if known.get(rel_path) != (sha, False):
            chunks = chunk_file(
                rel_path,
                content.data,
                max_lines=settings.max_chunk_lines,
                window_lines=settings.window_lines,
            )
            store.replace_file(rel_path, sha, chunks)
            report.rechunked.append(rel_path)
            report.chunks += len(chunks)
        if progress is not None and (done % 50 == 0 or done == len(paths)):
            progress("chunking", done, len(paths))
    listed = set(paths)
    report.removed = sorted(path for path in known if path not in listed)
    store.forget_files(report.removed)
    report.seconds = time.monotonic() - started
    return report


def rechunk_text(
    store: MemoryStore, rel_path: str, text: str, settings: MemorySettings, *, unsaved: bool
) -> bool:
    """Re-chunk one file from `text` (an editor buffer when `unsaved`); False if unchanged."""
    data = text.encode("utf-8")
    sha = content_sha(data)
    if store.file_shas().get(rel_path) == (sha, unsaved):
        return False
    chunks = chunk_file(
        rel_path, data, max_lines=settings.max_chunk_lines, window_lines=settings.window_lines
    )
    store.replace_file(rel_path, sha, chunks, unsaved=unsaved)
    return True


async def embed_missing(
    store: MemoryStore,
    embedder: Embedder,
    report: IndexReport | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    """Give every chunk a vector in the embedder's space: cached by content sha, else embedded."""
    report = report or IndexReport()
    space = await asyncio.to_thread(store.space, embedder.space)
    total = len(await asyncio.to_thread(store.unembedded, space, 10_000_000))
    done = 0
    while True:
        batch = await asyncio.to_thread(store.unembedded, space, EMBED_BATCH)
        if not batch:
            break
        space, cached = await _from_cache(store, space, batch)
        report.from_cache += cached
        fresh = (
            batch if cached == 0 else await asyncio.to_thread(store.unembedded, space, EMBED_BATCH)
        )
        if fresh:
            vectors = await embedder.embed([chunk.body for chunk in fresh])
            if space is None:
                space = await asyncio.to_thread(store.ensure_space, embedder.space, len(vectors[0]))
            pairs: list[tuple[StoredChunk, list[float] | bytes]] = list(
                zip(fresh, vectors, strict=True)
            )
            await asyncio.to_thread(store.put_vectors, space, pairs)
            report.embedded += len(fresh)
        done += len(batch)
        if progress is not None:
            progress("embedding", min(done, total), total)
    return report


async def _from_cache(
    store: MemoryStore, space: Space | None, batch: list[StoredChunk]
) -> tuple[Space | None, int]:
    if space is None:
        return None, 0
    cached = await asyncio.to_thread(store.cached_vectors, space, [c.sha for c in batch])
    pairs: list[tuple[StoredChunk, list[float] | bytes]] = [
        (chunk, cached[chunk.sha]) for chunk in batch if chunk.sha in cached
    ]
    if pairs:
        await asyncio.to_thread(store.put_vectors, space, pairs)
    return space, len(pairs)
