"""Memory from the editor: `orchard.searchMemory` {query, limit?} answers with hits that carry
protocol Locations to jump to, and open buffers feed memory as they change (stored as unsaved,
re-chunked only when their text changes). An adapter: the service's memory does the work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams

from orchard.errors import MemoryStoreError, OrchardError, SettingsError
from orchard.lsp.commands import CommandArguments, JsonRpcRequestFailed
from orchard.lsp.convert import lsp_location
from orchard.lsp.documents import DocumentEvent, DocumentEventKind

if TYPE_CHECKING:
    from orchard.lsp.host import WorkspaceHost
    from orchard.memory.api import Memory
    from orchard.memory.search import MemoryHit
    from orchard.service import OrchardService

log = logging.getLogger(__name__)

SEARCH = "orchard.searchMemory"
COMMANDS = (SEARCH,)
DEBOUNCE_SECONDS = 1.0


class MemoryFeature:
    """Searches the service's memory and keeps it fed with the editor's buffers."""

    def __init__(
        self, server: WorkspaceHost, service: Callable[[], Awaitable[OrchardService]]
    ) -> None:
        self.server = server
        self._service = service  # the repository's one service (the task feature opens it)
        self._pending: dict[str, asyncio.TimerHandle] = {}

    async def memory(self) -> Memory:
        """Return the repository's memory through its service."""
        return (await self._service()).memory

    async def search(self, arguments: CommandArguments) -> list[dict[str, Any]]:
        """Answer `orchard.searchMemory` {query, limit?} with hits and their locations."""
        query = arguments.text("query", required=True)
        limit = arguments.integer("limit")
        memory = await self.memory()
        hits = await memory.search(query, limit)
        return [_hit_json(hit, memory.root) for hit in hits]

    def on_document(self, event: DocumentEvent) -> None:
        """Index a buffer shortly after it stops changing; saved text replaces unsaved."""
        if event.path is None or event.kind is DocumentEventKind.CLOSED:
            return
        if event.text is None:
            return
        previous = self._pending.pop(event.uri, None)
        if previous is not None:
            previous.cancel()
        unsaved = event.kind is not DocumentEventKind.SAVED
        loop = asyncio.get_running_loop()
        self._pending[event.uri] = loop.call_later(
            DEBOUNCE_SECONDS, self._index_soon, event.uri, event.path, event.text, unsaved
        )

    def _index_soon(self, uri: str, path: Path, text: str, unsaved: bool) -> None:
        self._pending.pop(uri, None)
        self.server.spawn(self._index(path, text, unsaved), f"indexing {path.name} for memory")

    async def _index(self, path: Path, text: str, unsaved: bool) -> None:
        try:
            memory = await self.memory()
        except OrchardError as exc:
            log.info("memory is not available for %s: %s", path, exc)
            return
        try:
            rel_path = path.resolve().relative_to(memory.root.resolve()).as_posix()
        except ValueError:
            return
        try:
            await memory.index_text(rel_path, text, unsaved=unsaved)
        except (OrchardError, OSError) as exc:  # memory is a help, never an editor error
            log.warning("could not index %s for memory: %s", rel_path, exc)


def _hit_json(hit: MemoryHit, root: Path) -> dict[str, Any]:
    data = hit.to_json()
    if hit.kind == "chunk":
        data.update(lsp_location(root / hit.rel_path, hit.start_line, hit.end_line))
    else:
        data["locations"] = [lsp_location(root / path, 0, 0) for path in hit.files]
    return data


def register(
    server: WorkspaceHost, service: Callable[[], Awaitable[OrchardService]]
) -> MemoryFeature:
    """Wire `orchard.searchMemory` and the buffer feed into `server`, on `service()`."""
    feature = MemoryFeature(server, service)
    server.documents.subscribe(feature.on_document)

    @server.command(SEARCH)
    async def search_memory(ls: Any, *arguments: Any) -> Any:  # pygls passes the server as `ls`
        parsed = CommandArguments.of(SEARCH, arguments)
        try:
            return await feature.search(parsed)
        except (SettingsError, MemoryStoreError) as exc:
            raise JsonRpcInvalidParams(f"{SEARCH}: {exc}") from exc
        except OrchardError as exc:
            raise JsonRpcRequestFailed(f"{SEARCH}: {exc}") from exc

    return feature
