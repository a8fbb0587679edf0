"""What one agent is asked (`Assignment`) and what every agent of a task shares
(`LoopEnvironment`: settings, model client, journal, bus, snapshot, budget, workers, and where
its repo map and memory hits come from). Plain wiring; it runs nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.agents.budget import Budget
from orchard.agents.events import EventBus
from orchard.agents.workers import Workers
from orchard.config import Settings
from orchard.context.sections import MapRenderer
from orchard.memory.journal import Journal
from orchard.models.client import ModelClient
from orchard.vcs.snapshot import Snapshot

MapSource = Callable[[Path, "Assignment"], Awaitable[MapRenderer | None]]
# (request, editable) -> hits; reads SQLite off the loop itself
MemorySource = Callable[[str, Sequence[str]], Awaitable[Sequence[str]]]
PastFindings = Callable[[Sequence[str]], Sequence[str]]  # files -> past review findings on them


@dataclass(frozen=True, slots=True)
class Assignment:
    """What one agent is asked to do, with which model, and the files in play."""

    agent_id: str
    model: str
    request: str
    editable: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()
    title: str = ""


@dataclass(slots=True)
class LoopEnvironment:
    """What every agent of one task shares: settings, model client, journal, bus, budget."""

    settings: Settings
    client: ModelClient
    journal: Journal
    bus: EventBus
    snapshot: Snapshot
    budget: Budget
    workers: Workers
    on_budget_exhausted: Callable[[], None] = lambda: None
    repo_map: MapSource | None = None
    memory_hits: MemorySource | None = None
    past_findings: PastFindings | None = None  # called on a worker thread
    test_timeout: float = 600.0
