"""Tasks, agent runs and their events as value objects, with the states they move through.

Plain data: no git, no SQLite, no models. The journal stores these; the orchestrator moves them.
"""

from __future__ import annotations

import enum
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class TaskMode(enum.StrEnum):
    """How a task uses its agents."""

    BEST_OF_N = "best_of_n"  # one request, N agents, the best result wins
    FAN_OUT = "fan_out"  # one request split into subtasks, every result merged


class TaskState(enum.StrEnum):
    """Where a task stands as a whole."""

    RUNNING = "running"
    REVIEWING = "reviewing"
    MERGING = "merging"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # the process died while it was running; resumable
    DISCARDED = "discarded"  # the user threw it away; worktrees and branches are gone

    @property
    def is_active(self) -> bool:
        """Whether some process should be working on the task right now."""
        return self in (TaskState.RUNNING, TaskState.REVIEWING, TaskState.MERGING)


class RunState(enum.StrEnum):
    """Where one agent's run stands: queued → preparing → editing → linting → testing → end."""

    QUEUED = "queued"
    PREPARING = "preparing"
    EDITING = "editing"
    LINTING = "linting"
    TESTING = "testing"
    COMMITTED = "committed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # the process died mid-run; can be resumed or discarded

    @property
    def is_final(self) -> bool:
        """Whether the run has ended for good (committed, failed or cancelled)."""
        return self in (RunState.COMMITTED, RunState.FAILED, RunState.CANCELLED)

    @property
    def in_flight(self) -> bool:
        """Whether the run was being worked on (a crash leaves such runs interrupted)."""
        return not self.is_final and self is not RunState.INTERRUPTED


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """What the user asked for: the request, the mode, the models and the files in play."""

    request: str
    mode: TaskMode = TaskMode.BEST_OF_N
    models: tuple[str, ...] = ()
    editable: tuple[str, ...] = ()  # repo-relative posix paths the agents may edit
    read_only: tuple[str, ...] = ()  # repo-relative posix paths shown for context
    options: Mapping[str, Any] = field(default_factory=dict)  # anything else, JSON-serializable

    def to_json(self) -> dict[str, Any]:
        """Return the spec as a JSON-ready mapping."""
        return {
            "request": self.request,
            "mode": str(self.mode),
            "models": list(self.models),
            "editable": list(self.editable),
            "read_only": list(self.read_only),
            "options": dict(self.options),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskSpec:
        """Rebuild a spec from `to_json` output."""
        return cls(
            request=str(data["request"]),
            mode=TaskMode(data.get("mode", TaskMode.BEST_OF_N)),
            models=tuple(data.get("models", ())),
            editable=tuple(data.get("editable", ())),
            read_only=tuple(data.get("read_only", ())),
            options=dict(data.get("options", {})),
        )


@dataclass(frozen=True, slots=True)
class Task:
    """A task as last recorded."""

    id: str
    spec: TaskSpec
    state: TaskState
    created_at: float
    updated_at: float
    snapshot: str | None = None  # the snapshot commit, once taken
    error: str | None = None


@dataclass(frozen=True, slots=True)
class AgentRun:
    """One agent working on a task, as last recorded."""

    id: str  # "<task id>/<agent id>"
    task_id: str
    agent_id: str
    model: str
    branch: str
    worktree: str
    state: RunState
    created_at: float
    updated_at: float
    commit: str | None = None  # the agent's last commit on its branch
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RunEvent:
    """One thing that happened in a run; the log of these is append-only."""

    seq: int  # increases across the whole journal
    run_id: str
    task_id: str
    kind: str
    data: Mapping[str, Any]
    at: float


def new_task_id(now: float | None = None) -> str:
    """Return a fresh task id that sorts by creation time, e.g. `20261121-120101-3f9a`."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(2)}"


def agent_id_for(model: str, index: int) -> str:
    """Return a readable agent id for the `index`-th agent using `model`, e.g. `a1-gpt-4o`."""
    name = model.rsplit("/", 1)[-1].lower()
    slug = re.sub(r"[^a-z0-9._-]+", "-", name).removesuffix(".lock").strip("-.")[:40] or "agent"
    return f"a{index}-{slug}"


def run_id_for(task_id: str, agent_id: str) -> str:
    """Return the id of the run of `agent_id` on `task_id`."""
    return f"{task_id}/{agent_id}"
