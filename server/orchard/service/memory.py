"""The service's memory wiring: open a repository's `Memory` and record, from the event bus,
which files each agent run changed and how it ended. Must not import a front door; SQL goes to
worker threads through `Memory`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from orchard.agents.events import Event, EventBus, RunStateChanged
from orchard.agents.task import RunState
from orchard.config import Settings
from orchard.memory.api import Memory
from orchard.memory.embedders import embedder_for
from orchard.memory.history import Outcome

if TYPE_CHECKING:
    from orchard.agents.orchestrator import TaskHandle
    from orchard.models.client import ModelClient

log = logging.getLogger(__name__)

_OUTCOMES = {
    RunState.COMMITTED: Outcome.COMMITTED,
    RunState.FAILED: Outcome.FAILED,
    RunState.CANCELLED: Outcome.CANCELLED,
}


async def open_memory(
    root: Path, db_path: Path, settings: Settings, client: ModelClient | None
) -> Memory:
    """Open the repository's memory with the configured embedder."""
    return await Memory.open(root, db_path, settings, embedder_for(settings, client))


class RunRecorder:
    """Listens on the bus; when a run ends, remembers the files it changed and its outcome."""

    def __init__(
        self, memory: Memory, bus: EventBus, handles: Callable[[str], TaskHandle | None]
    ) -> None:
        self.memory = memory
        self._handles = handles
        self._pending: set[asyncio.Task[None]] = set()
        self._remove = bus.add_listener(self.on_event)

    def on_event(self, event: Event) -> None:
        """Schedule the write for a run that reached an end state (never blocks the loop)."""
        if not isinstance(event, RunStateChanged) or event.state not in _OUTCOMES:
            return
        handle = self._handles(event.task_id)
        loop = handle.loops.get(event.agent_id) if handle is not None else None
        if loop is None:
            return
        outcome = loop.outcome()
        if not outcome.files:
            return
        write = self.memory.record_run(
            event.task_id,
            loop.assignment.request,
            event.agent_id,
            outcome.model,
            outcome.files,
            _OUTCOMES[event.state],
        )
        task = asyncio.ensure_future(write)
        self._pending.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("could not record a run in memory: %s", task.exception())

    async def flush(self) -> None:
        """Wait for the writes scheduled so far."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def close(self) -> None:
        """Stop listening and finish pending writes."""
        self._remove()
        await self.flush()
