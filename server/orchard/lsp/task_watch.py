"""Watching tasks from the editor: one work-done progress per running AGENT (state, round, tokens
streamed, a percentage by stage) ended with its outcome, whose cancel cancels that agent; and the
notification `orchard/taskChanged` carrying the task's whole `orchard.showTask` view, at most
about four times a second per task, the last state always sent. Reads the service's event bus;
never waits on an agent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchard.agents.events import (
    Event,
    RunNote,
    RunProgress,
    RunStateChanged,
    RunUsage,
    TaskAccepted,
    TaskFinished,
    TaskStarted,
)
from orchard.agents.task import RunState
from orchard.lsp.progress import WorkProgress

if TYPE_CHECKING:
    from orchard.lsp.host import ClientHost
    from orchard.service import OrchardService

log = logging.getLogger(__name__)

TASK_CHANGED = "orchard/taskChanged"
NOTIFY_INTERVAL = 0.25  # seconds between two taskChanged of one task (<= 4/s)
REPORT_INTERVAL = 0.1  # seconds between two token reports of one agent's progress
STAGE_PERCENT = {
    RunState.QUEUED: 0,
    RunState.PREPARING: 5,
    RunState.EDITING: 15,
    RunState.LINTING: 70,
    RunState.TESTING: 85,
}
Notify = Callable[[str, Any], None]
FinishedListener = Callable[[str, dict[str, Any]], Awaitable[None] | None]


@dataclass(slots=True)
class _Pending:
    dirty: bool = False
    final: bool = False
    sender: asyncio.Task[Any] | None = None


@dataclass(slots=True)
class _Agent:
    queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)
    state: RunState = RunState.QUEUED
    round: int = 0
    tokens: int = 0
    total_tokens: int = 0


class TaskWatch:
    """Turns the bus's events into per-agent progress and throttled taskChanged notifications."""

    def __init__(self, server: ClientHost, notify: Notify) -> None:
        self.server = server
        self._notify = notify
        self._service: OrchardService | None = None
        self._agents: dict[tuple[str, str], _Agent] = {}
        self._ended: set[tuple[str, str]] = set()
        self._pending: dict[str, _Pending] = {}
        self._finished: list[FinishedListener] = []
        self.views: dict[str, dict[str, Any]] = {}  # the last view sent of each task
        self.closed: set[str] = set()  # accepted or discarded: nothing left to offer

    def open_views(self) -> dict[str, dict[str, Any]]:
        """The last views of tasks neither accepted nor discarded."""
        return {task: view for task, view in self.views.items() if task not in self.closed}

    def close(self, task_id: str) -> None:
        """A task was accepted or discarded: offer nothing more for it."""
        self.closed.add(task_id)

    def attach(self, service: OrchardService) -> None:
        """Listen to `service`'s bus (once)."""
        if self._service is service:
            return
        self._service = service
        service.bus.add_listener(self.on_event)

    def on_finished(self, listener: FinishedListener) -> None:
        """Call `listener(task_id, view)` once a task's final view has been sent."""
        self._finished.append(listener)

    def on_event(self, event: Event) -> None:
        """Route one bus event (called on the loop, must return at once)."""
        task_id = getattr(event, "task_id", None)
        if task_id is None:
            return
        if isinstance(event, TaskAccepted):
            self.close(task_id)
        if isinstance(event, TaskStarted):
            for started, model in event.agents:
                self._agent(task_id, started, model)
        if isinstance(event, RunStateChanged | RunProgress | RunUsage | RunNote):
            agent = self._agent(task_id, event.agent_id, None)
            if agent is not None:
                agent.queue.put_nowait(event)
        self._mark(task_id, final=isinstance(event, TaskFinished))

    def _agent(self, task_id: str, agent_id: str, model: str | None) -> _Agent | None:
        key = (task_id, agent_id)
        if key in self._ended:  # a late note after the outcome: its bar is over
            if isinstance(model, str):  # started again (resumed): a new bar
                self._ended.discard(key)
            else:
                return None
        agent = self._agents.get(key)
        if agent is None:
            agent = self._agents[key] = _Agent()
            work = self._follow(task_id, agent_id, model, agent)
            self.server.spawn(work, f"progress of {task_id} {agent_id}")
        return agent

    def _cancel(self, task_id: str, agent_id: str) -> None:
        if self._service is None or self._service.running(task_id) is None:
            return
        try:
            self._service.cancel(task_id, agent_id)
        except Exception:  # the agent ended meanwhile
            log.info("cancelling %s %s: already over", task_id, agent_id, exc_info=True)

    async def _follow(self, task_id: str, agent_id: str, model: str | None, agent: _Agent) -> None:
        """One agent's progress bar, from its first event to its end."""
        bar = await WorkProgress.begin(
            self.server,
            f"Orchard {task_id} {agent_id}",
            message=f"{model or agent_id}: queued",
            on_cancel=lambda: self._cancel(task_id, agent_id),
        )
        last_report = 0.0
        try:
            while True:
                event = await agent.queue.get()
                text = _apply(agent, event)
                if isinstance(event, RunStateChanged) and event.state.is_final:
                    if bar is not None:
                        bar.end(_outcome(event, agent))
                    return
                now = time.monotonic()
                urgent = isinstance(event, RunStateChanged)
                if bar is not None and text and (urgent or now - last_report >= REPORT_INTERVAL):
                    last_report = now
                    bar.report(text, STAGE_PERCENT.get(agent.state))
        finally:
            self._agents.pop((task_id, agent_id), None)
            self._ended.add((task_id, agent_id))
            if bar is not None and not bar.ended:
                bar.end(f"{agent_id}: {agent.state}")

    def _mark(self, task_id: str, *, final: bool = False) -> None:
        pending = self._pending.setdefault(task_id, _Pending())
        pending.dirty = True
        pending.final = pending.final or final
        if pending.sender is None or pending.sender.done():
            pending.sender = self.server.spawn(self._send(task_id, pending), "orchard/taskChanged")

    async def _send(self, task_id: str, pending: _Pending) -> None:
        """Send the task's view while it keeps changing, at most every NOTIFY_INTERVAL."""
        while pending.dirty and self._service is not None:
            pending.dirty = False
            final = pending.final
            view = await self._service.show_task(task_id)
            self.views[task_id] = view
            self._notify(TASK_CHANGED, view)
            if final and not pending.dirty:
                self._pending.pop(task_id, None)
                await self._tell_finished(task_id, view)
                return
            await asyncio.sleep(NOTIFY_INTERVAL)

    async def _tell_finished(self, task_id: str, view: dict[str, Any]) -> None:
        for listener in self._finished:
            try:
                result = listener(task_id, view)
                if result is not None:
                    await result
            except Exception:
                log.exception("a finished-task listener failed for %s", task_id)


def _apply(agent: _Agent, event: Event) -> str:
    """Fold `event` into the agent's state; return the message to show (or '')."""
    if isinstance(event, RunStateChanged):
        agent.state = event.state
        return f"{event.state}" + (f": {event.reason}" if event.reason else "")
    if isinstance(event, RunProgress):
        agent.round, agent.tokens = event.round, event.tokens
        return f"{agent.state}, round {event.round}, {event.tokens} tokens streamed"
    if isinstance(event, RunUsage):
        agent.total_tokens = event.total_tokens
        return f"{agent.state}, {event.total_tokens} tokens, ${event.total_cost_usd:.4f}"
    if isinstance(event, RunNote):
        return f"{agent.state}: {event.message}"[:200]
    return ""


def _outcome(event: RunStateChanged, agent: _Agent) -> str:
    if event.state is RunState.COMMITTED:
        commit = event.commit[:10] if event.commit else ""
        return f"committed {commit} ({agent.total_tokens} tokens)"
    return f"{event.state}" + (f": {event.reason}" if event.reason else "")
