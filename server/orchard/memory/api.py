"""Memory: the one object the service holds for a repository's memory — index, search, recall
for prompts, record runs, forget, stats. Blocking SQL runs on worker threads; embedding a query
awaits the embedder. Must not import agents, front doors, or be required to be online.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from orchard.config import Settings
from orchard.errors import MemoryStoreError
from orchard.memory.embedders import Embedder, Vector
from orchard.memory.history import FileEvent, FileHistory, Outcome
from orchard.memory.indexer import (
    IndexReport,
    Progress,
    embed_missing,
    rechunk_repository,
    rechunk_text,
)
from orchard.memory.search import MemoryHit, hybrid_search
from orchard.memory.store import MemoryStore

log = logging.getLogger(__name__)

_PATHLIKE = re.compile(r"[\w./-]+\.\w+|[\w-]+/[\w./-]+")


class Memory:
    """A repository's memory in its state database."""

    def __init__(self, root: Path, store: MemoryStore, embedder: Embedder, settings: Settings):
        self.root = root
        self.store = store
        self.history = FileHistory(store)
        self.embedder = embedder
        self.settings = settings

    @classmethod
    async def open(
        cls, root: Path, db_path: Path, settings: Settings, embedder: Embedder | None = None
    ) -> Memory:
        """Open (and migrate) the memory tables on a worker thread."""
        from orchard.memory.embedders import embedder_for

        store = await asyncio.to_thread(MemoryStore, db_path)
        memory = cls(root, store, embedder or embedder_for(settings), settings)
        return memory

    async def close(self) -> None:
        """Close the store's connections."""
        await asyncio.to_thread(self.store.close)

    # Indexing ---------------------------------------------------------------------------------

    async def index(self, progress: Progress | None = None) -> IndexReport:
        """Re-chunk changed files of the repository, then embed what has no vector yet."""
        report = await asyncio.to_thread(
            rechunk_repository,
            self.store,
            self.root,
            self.settings.memory,
            self.settings.repomap,
            progress,
        )
        return await embed_missing(self.store, self.embedder, report, progress)

    async def index_text(self, rel_path: str, text: str, *, unsaved: bool) -> bool:
        """Re-chunk one file from an editor buffer (or its saved text); False when unchanged."""
        changed = await asyncio.to_thread(
            rechunk_text, self.store, rel_path, text, self.settings.memory, unsaved=unsaved
        )
        if changed:
            await embed_missing(self.store, self.embedder)
        return changed

    # Searching --------------------------------------------------------------------------------

    async def search(self, query: str, limit: int | None = None) -> list[MemoryHit]:
        """Return the best chunks and past tasks for `query` (hybrid, fused)."""
        if not query.strip():
            raise MemoryStoreError("a memory search needs a query")
        vector = await self._query_vector(query)
        return await asyncio.to_thread(self._search_now, query, vector, limit)

    def _search_now(self, query: str, vector: Vector | None, limit: int | None) -> list[MemoryHit]:
        space = self.store.space(self.embedder.space)
        count = limit or self.settings.memory.search_limit
        return hybrid_search(self.store, query, vector, space, count)

    async def _query_vector(self, query: str) -> Vector | None:
        try:
            return (await self.embedder.embed([query]))[0]
        except Exception as exc:  # the vector half is optional: full-text search still answers
            log.warning("could not embed the query (%s); full-text search only", exc)
            return None

    async def prompt_hits(self, request: str, editable: Sequence[str] = ()) -> list[str]:
        """Return memory hits for an agent's prompt, best first.

        Past outcomes on the files the request names or edits come first, then related chunks
        of other files. The prompt assembler drops hits from the end to fit its budget. The
        query is embedded here, on the loop, and SQLite is read on a worker thread: a thread
        that waited on the loop for the vector could starve the executor the embedder needs.
        """
        limit = self.settings.memory.prompt_hits
        if limit == 0 or not self.settings.memory.enabled:
            return []
        vector = await self._query_vector(request)
        return await asyncio.to_thread(self._prompt_hits, request, editable, vector, limit)

    def _prompt_hits(
        self, request: str, editable: Sequence[str], vector: Vector | None, limit: int
    ) -> list[str]:
        files = self.named_files(request, editable)
        hits = [describe_event(e) for e in self.history.for_files(files, limit)]
        space = self.store.space(self.embedder.space)
        for hit in hybrid_search(self.store, request, vector, space, limit * 2, tasks=False):
            if len(hits) >= limit:
                break
            if hit.rel_path not in files:
                hits.append(describe_chunk(hit))
        return hits[:limit]

    def named_files(self, request: str, editable: Sequence[str] = ()) -> list[str]:
        """Return the known files a request names (by path or file name), plus `editable`."""
        known = self.history.known_paths() | set(self.store.file_shas())
        by_name: dict[str, list[str]] = {}
        for path in known:
            by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        found = list(dict.fromkeys(editable))
        for word in _PATHLIKE.findall(request):
            word = word.strip("./")
            matches = [word] if word in known else by_name.get(word, [])
            found.extend(m for m in matches if m not in found)
        return found

    # Recording and forgetting -----------------------------------------------------------------

    async def record_run(
        self,
        task_id: str,
        request: str,
        agent_id: str,
        model: str,
        files: Sequence[str],
        outcome: Outcome,
    ) -> None:
        """Remember which files a run changed and how it ended."""
        await asyncio.to_thread(
            self.history.record_run, task_id, request, agent_id, model, files, outcome
        )

    async def set_outcome(
        self, task_id: str, outcome: Outcome, agent_id: str | None = None
    ) -> None:
        """Mark a task's remembered changes (of one agent, if given), e.g. discarded, accepted."""
        await asyncio.to_thread(self.history.set_outcome, task_id, outcome, agent_id)

    async def past_changes(self, files: Sequence[str]) -> list[FileEvent]:
        """Return what past tasks did to `files` (for the reviewer, and for people)."""
        return await asyncio.to_thread(self.history.for_files, list(files), 50)

    def past_findings(self, rel_paths: Sequence[str], limit: int = 20) -> list[str]:
        """Return what earlier reviews found on `rel_paths`, newest first (on a worker thread)."""
        said: list[str] = []
        for event in self.history.for_files(list(rel_paths), 50):
            for finding in event.findings:
                said.append(f"task {event.task_id} ({event.outcome}): {finding}")
        return list(dict.fromkeys(said))[:limit]

    async def add_findings(self, task_id: str, findings: Mapping[str, Sequence[str]]) -> None:
        """Attach a review's findings (per file, one line each) to the task's history rows."""

        def write() -> None:
            for rel_path, said in findings.items():
                self.history.add_findings(task_id, rel_path, said)

        await asyncio.to_thread(write)

    async def forget(
        self, *, file: str | None = None, task: str | None = None, everything: bool = False
    ) -> dict[str, Any]:
        """Forget one file, one task, or everything; return what was removed."""
        if sum((file is not None, task is not None, everything)) != 1:
            raise MemoryStoreError("forget one file, one task, or everything: exactly one of them")

        def drop() -> dict[str, Any]:
            if everything:
                self.store.forget_all()
                return {"all": True}
            if file is not None:
                chunks = self.store.forget_files([file])
                return {"file": file, "chunks": chunks, "history": self.history.forget_file(file)}
            assert task is not None
            return {"task": task, "history": self.history.forget_task(task)}

        return await asyncio.to_thread(drop)

    async def stats(self) -> dict[str, Any]:
        """Return counts and sizes, JSON-ready, with the embedder in use."""
        figures = await asyncio.to_thread(self.store.stats)
        figures["embedder"] = self.embedder.space
        return figures


def describe_event(event: FileEvent) -> str:
    """Say one past change in a sentence for a prompt."""
    text = (
        f"Past task {event.task_id} (agent {event.agent_id}, {event.model}) changed"
        f" {event.rel_path}; outcome: {event.outcome}. Its request was: {event.request.strip()}"
    )
    if event.findings:
        text += "\nReview findings: " + "; ".join(event.findings)
    return text


def describe_chunk(hit: MemoryHit) -> str:
    """Show a related chunk for a prompt, with its place."""
    where = f"{hit.rel_path}:{hit.start_line + 1}-{hit.end_line + 1}"
    return f"Related code in {where} ({hit.name or 'lines'}):\n```\n{hit.text}\n```"
