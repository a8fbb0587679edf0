"""The event bus: async publish/subscribe of plain dataclass events about tasks and agent runs.

Subscribers (the CLI's progress lines, later the LSP's progress reports) each get their own
queue, so a slow one never holds up agents. No journaling here: the agent loop journals.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from orchard.agents.task import RunState, TaskState
from orchard.review.findings import Finding

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TaskStarted:
    """A task was recorded and its snapshot taken; `agents` lists (agent id, model) pairs."""

    task_id: str
    snapshot: str
    agents: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PlanMade:
    """A fan-out planner split the request; `overlaps` maps a path to the agents sharing it."""

    task_id: str
    subtasks: tuple[tuple[str, str, tuple[str, ...]], ...]  # (agent id, title, files)
    overlaps: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class RunStateChanged:
    """An agent run moved to a new state (`reason` says why it failed or was cancelled)."""

    task_id: str
    agent_id: str
    state: RunState
    reason: str | None = None
    commit: str | None = None


@dataclass(frozen=True, slots=True)
class RunProgress:
    """Streaming progress of an agent's model call: reply tokens so far in this round."""

    task_id: str
    agent_id: str
    round: int
    tokens: int


@dataclass(frozen=True, slots=True)
class RunUsage:
    """A model call of an agent finished; its tokens and cost, and the run's totals so far."""

    task_id: str
    agent_id: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    total_tokens: int
    total_cost_usd: float


@dataclass(frozen=True, slots=True)
class RunNote:
    """Something worth telling about a run: an apply failure, lint errors, a test result."""

    task_id: str
    agent_id: str
    kind: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunReviewed:
    """The reviewer read an agent's committed result; `findings` are what it said (maybe none)."""

    task_id: str
    agent_id: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class TaskJudged:
    """The judge compared a task's agents; `agent_id` is the recommendation (None: no agent)."""

    task_id: str
    agent_id: str | None
    reasons: tuple[str, ...]
    scores: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class TaskFinished:
    """Every agent of the task has ended; the task's final state."""

    task_id: str
    state: TaskState


@dataclass(frozen=True, slots=True)
class TaskAccepted:
    """An agent's result was merged into the user's working tree (or applied by the editor)."""

    task_id: str
    agent_id: str


Event = (
    TaskStarted
    | PlanMade
    | RunStateChanged
    | RunProgress
    | RunUsage
    | RunNote
    | RunReviewed
    | TaskJudged
    | TaskFinished
    | TaskAccepted
)
Listener = Callable[[Event], None]


class Subscription:
    """One subscriber's queue of events; iterate it with `async for`, close it when done."""

    def __init__(self, bus: EventBus, task_id: str | None) -> None:
        self._bus = bus
        self.task_id = task_id
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()

    def offer(self, event: Event) -> None:
        if self.task_id is None or getattr(event, "task_id", None) == self.task_id:
            self.queue.put_nowait(event)

    def close(self) -> None:
        """Stop receiving events; a pending `async for` ends."""
        self._bus.unsubscribe(self)
        self.queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self.queue.get()
            if event is None:
                return
            yield event


class EventBus:
    """Fans events out to listeners (called at once) and subscriptions (queued per subscriber)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._subscriptions: list[Subscription] = []

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` for every event, on the loop; return its remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def subscribe(self, task_id: str | None = None) -> Subscription:
        """Return a queue of every event from now on (of one task, if given)."""
        subscription = Subscription(self, task_id)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to `subscription`."""
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    def publish(self, event: Event) -> None:
        """Deliver `event` now; a listener that raises is logged and kept, never the agent's end."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken subscriber must not break an agent
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
        for subscription in list(self._subscriptions):
            subscription.offer(event)
