"""Reading and tagging files in bulk: in this process for a few, in a process pool for many.

Workers read the files themselves (cheaper than shipping bytes), identify those the caller has
not read (a cold build reads each file once), compile each language's query once, and send back
compact summaries. It must not touch the cache or the graph.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from orchard.repomap.cache import content_sha, encode_rows, symbols_of_rows
from orchard.repomap.graph import EMPTY, FileSymbols
from orchard.repomap.languages import language_for, languages_with_tags
from orchard.repomap.scan import FileContent, FileStatus, read_content
from orchard.repomap.tags import TagExtractor, default_extractor

log = logging.getLogger(__name__)

POOL_MIN_BYTES = 2_000_000  # below this much source, a pool's start-up costs more than it saves
_CHUNK_BYTES = 400_000
_CHUNK_FILES = 200

Progress = Callable[[int, int], None]  # (files done, files in all)
# A file to tag: its path, its content when already read (None: read it where it is tagged), and
# its size when not read (for planning the work).
ParseJob = tuple[str, FileContent | None, int]


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file's identity and tags, as read now."""

    rel_path: str
    status: FileStatus
    sha: str = ""
    language: str | None = None
    symbols: FileSymbols = EMPTY
    tags_blob: bytes | None = None  # None: nothing to tag (no query, or not a source file)


def taggable(status: FileStatus, language: str | None) -> bool:
    """Tell whether a file in this state and language gets tags."""
    return (
        status is FileStatus.SOURCE and language is not None and language in languages_with_tags()
    )


def identify(rel_path: str, content: FileContent) -> ParsedFile:
    """Name a file's content (sha, language) without parsing it."""
    data = content.data or b""
    language = language_for(rel_path, data if content.data is not None else None)
    sha = content_sha(data) if content.data is not None else ""
    return ParsedFile(rel_path, content.status, sha, language)


def tag_content(
    rel_path: str, content: FileContent, extractor: TagExtractor | None = None
) -> ParsedFile:
    """Identify and tag one file's content."""
    known = identify(rel_path, content)
    if known.language is None or not taggable(known.status, known.language) or content.data is None:
        return known
    extractor = extractor or default_extractor()
    try:
        rows = extractor.rows(content.data, known.language)
    except (ValueError, RuntimeError) as exc:
        log.warning("could not tag %s: %s; listed by path only", rel_path, exc)
        return known
    return ParsedFile(
        rel_path, known.status, known.sha, known.language, symbols_of_rows(rows), encode_rows(rows)
    )


# A ParsedFile as plain values: pickled and unpickled at twice the speed of the dataclasses.
_Packed = tuple[
    str, str, str, str | None, tuple[str, ...], tuple[tuple[str, int], ...], bytes | None
]
_STATUSES = {status.value: status for status in FileStatus}


def _parse_chunk(root: str, rel_paths: list[str], max_bytes: int) -> list[_Packed]:
    base = Path(root)
    packed: list[_Packed] = []
    for rel in rel_paths:
        p = tag_content(rel, read_content(base / rel, max_bytes))
        defines, references = p.symbols.defines, p.symbols.references
        packed.append(
            (p.rel_path, p.status.value, p.sha, p.language, defines, references, p.tags_blob)
        )
    return packed


def _unpack(row: _Packed) -> ParsedFile:
    rel_path, status, sha, language, defines, references, blob = row
    symbols = FileSymbols(defines, references) if defines or references else EMPTY
    return ParsedFile(rel_path, _STATUSES[status], sha, language, symbols, blob)


class ParsingPool:
    """Worker processes started before the work is known, so that their start-up (a new
    interpreter and its imports each) overlaps the caller's listing of the files."""

    def __init__(self, workers: int) -> None:
        # spawn, not fork: the language server has threads, and forking a threaded process can
        # leave a worker holding a lock forever.
        context = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        for _ in range(workers):  # each submission starts one worker, up to max_workers
            self.executor.submit(_ready)

    def close(self) -> None:
        """Stop the workers (after the work they have)."""
        self.executor.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """Return how many worker processes parse by default (one per core, at most 8)."""
    return min(os.cpu_count() or 1, 8)


def _ready() -> None:
    """Nothing: run in a new worker, it has imported this module, as parsing needs."""


def parse_files(
    root: Path,
    work: Sequence[ParseJob],
    max_bytes: int,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    on_parsed: Callable[[Sequence[ParsedFile]], object] | None = None,
    meanwhile: Callable[[], object] | None = None,
    pool: ParsingPool | None = None,
) -> list[ParsedFile]:
    """Identify and tag these files, in a process pool when there is enough to do (always in
    `pool` when one is given).

    `on_parsed` gets the results a batch at a time, as they come; `meanwhile` is called once
    while the pool's workers parse (not at all without a pool).
    """
    total_bytes = sum(_job_bytes(job) for job in work)
    workers = workers if workers is not None else default_workers()
    if pool is None and (workers <= 1 or total_bytes < POOL_MIN_BYTES):
        done: list[ParsedFile] = []
        for index, (rel_path, content, _) in enumerate(work, start=1):
            if content is None:
                content = read_content(root / rel_path, max_bytes)
            done.append(tag_content(rel_path, content))
            if progress and (index % 50 == 0 or index == len(work)):
                progress(index, len(work))
        if on_parsed:
            on_parsed(done)
        return done
    try:
        if pool is not None:
            return _parse_in_pool(root, work, max_bytes, pool, progress, on_parsed, meanwhile)
        started = ParsingPool(workers)
        try:
            return _parse_in_pool(root, work, max_bytes, started, progress, on_parsed, meanwhile)
        finally:
            started.close()
    except (BrokenProcessPool, OSError) as exc:
        # e.g. a script without `if __name__ == "__main__":` cannot be re-imported by spawn.
        # Batches already given to on_parsed are given again: storing them twice is harmless.
        log.warning("parsing in a process pool failed (%s); parsing in this process", exc)
        return parse_files(root, work, max_bytes, workers=1, progress=progress, on_parsed=on_parsed)


def _job_bytes(job: ParseJob) -> int:
    content = job[1]
    return job[2] if content is None else len(content.data or b"")


def _chunks(work: Sequence[ParseJob]) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for job in work:
        current.append(job[0])
        size += _job_bytes(job)
        if size >= _CHUNK_BYTES or len(current) >= _CHUNK_FILES:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _parse_in_pool(
    root: Path,
    work: Sequence[ParseJob],
    max_bytes: int,
    pool: ParsingPool,
    progress: Progress | None,
    on_parsed: Callable[[Sequence[ParsedFile]], object] | None,
    meanwhile: Callable[[], object] | None,
) -> list[ParsedFile]:
    results: dict[str, ParsedFile] = {}
    executor = pool.executor
    futures = [
        executor.submit(_parse_chunk, str(root), chunk, max_bytes) for chunk in _chunks(work)
    ]
    if meanwhile:
        meanwhile()
    for future in as_completed(futures):
        batch = [_unpack(row) for row in future.result()]
        for parsed in batch:
            results[parsed.rel_path] = parsed
        if on_parsed:
            on_parsed(batch)
        if progress:
            progress(len(results), len(work))
    return [results[job[0]] for job in work if job[0] in results]
