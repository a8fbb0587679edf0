"""The service's memory wiring: open a repository's `Memory` and record, from the event bus,
which files each agent run changed and how it ended. Must not import a front door; SQL goes to
worker threads through `Memory`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchard.agents.events import Event, EventBus, RunReviewed, RunStateChanged
from orchard.agents.task import RunState
from orchard.config import Settings
from orchard.memory.api import Memory
from orchard.memory.embedders import embedder_for
from orchard.memory.history import Outcome
from orchard.review.reviewer import describe_finding

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
        if isinstance(event, RunReviewed):
            self._schedule(self._record_findings(event, list(self._pending)))
            return
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
        self._schedule(write)

    def _schedule(self, write: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(write)
        self._pending.add(task)
        task.add_done_callback(self._done)

    async def _record_findings(self, event: RunReviewed, earlier: list[asyncio.Task[None]]) -> None:
        """Attach findings once the run's own history rows are written (they come first)."""
        if earlier:
            await asyncio.gather(*earlier, return_exceptions=True)
        by_file: dict[str, list[str]] = {}
        for finding in event.findings:
            by_file.setdefault(finding.file, []).append(describe_finding(finding))
        if by_file:
            await self.memory.add_findings(event.task_id, by_file)

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
