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

from orchard.errors import SettingsError


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
class Selection:
    """Code the user selected when asking: where it is and what it says (lines are 1-based)."""

    path: str  # repo-relative posix path
    start_line: int | None = None
    end_line: int | None = None
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the selection as a JSON-ready mapping."""
        return {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Selection:
        """Rebuild a selection from `to_json` output."""
        return cls(
            path=str(data.get("path", "")),
            start_line=_opt_int(data.get("start_line")),
            end_line=_opt_int(data.get("end_line")),
            text=str(data.get("text", "")),
        )


@dataclass(frozen=True, slots=True)
class TaskLimits:
    """What a task may spend: tokens, dollars, seconds of wall clock, seconds per test run."""

    max_tokens: int | None = None
    max_cost_usd: float | None = None
    max_seconds: float | None = None
    test_timeout: float | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the limits as a JSON-ready mapping (unset limits left out)."""
        return {name: value for name, value in _limit_items(self) if value is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskLimits:
        """Rebuild limits from `to_json` output (unknown keys ignored)."""
        return cls(
            max_tokens=_opt_int(data.get("max_tokens")),
            max_cost_usd=_opt_float(data.get("max_cost_usd")),
            max_seconds=_opt_float(data.get("max_seconds")),
            test_timeout=_opt_float(data.get("test_timeout")),
        )


def _limit_items(limits: TaskLimits) -> list[tuple[str, float | int | None]]:
    return [
        ("max_tokens", limits.max_tokens),
        ("max_cost_usd", limits.max_cost_usd),
        ("max_seconds", limits.max_seconds),
        ("test_timeout", limits.test_timeout),
    ]


def _opt_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _opt_float(value: object) -> float | None:
    return None if value is None else float(str(value))


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """What the user asked for, with the models settled: request, mode, files, selection, limits."""

    request: str
    mode: TaskMode = TaskMode.BEST_OF_N
    models: tuple[str, ...] = ()
    editable: tuple[str, ...] = ()  # repo-relative posix paths the agents may edit
    read_only: tuple[str, ...] = ()  # repo-relative posix paths shown for context
    selection: Selection | None = None
    limits: TaskLimits = field(default_factory=TaskLimits)

    def to_json(self) -> dict[str, Any]:
        """Return the spec as a JSON-ready mapping."""
        return {
            "request": self.request,
            "mode": str(self.mode),
            "models": list(self.models),
            "editable": list(self.editable),
            "read_only": list(self.read_only),
            "selection": self.selection.to_json() if self.selection else None,
            "limits": self.limits.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskSpec:
        """Rebuild a spec from `to_json` output, or from the untyped `options` of older journals."""
        legacy = data.get("options") or {}
        selection = data.get("selection") or legacy.get("selection")
        return cls(
            request=str(data["request"]),
            mode=TaskMode(data.get("mode", TaskMode.BEST_OF_N)),
            models=tuple(data.get("models", ())),
            editable=tuple(data.get("editable", ())),
            read_only=tuple(data.get("read_only", ())),
            selection=Selection.from_json(selection) if isinstance(selection, Mapping) else None,
            limits=TaskLimits.from_json({**legacy, **(data.get("limits") or {})}),
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


def check_spec(spec: TaskSpec) -> None:
    """Raise SettingsError when a task has no request or no model."""
    if not spec.request.strip():
        raise SettingsError("the task has no request: say what the agents should do")
    if not spec.models:
        raise SettingsError(
            "no model to run: name one for the task, or set `models` in .orchard.toml"
        )


def request_with_selection(spec: TaskSpec) -> str:
    """Return the request the agents get: the user's words plus the selection they made."""
    selection = spec.selection
    if selection is None or not selection.text:
        return spec.request
    lines = ""
    if selection.start_line is not None:
        lines = f" (lines {selection.start_line}-{selection.end_line or '?'})"
    return (
        f"{spec.request}\n\nThe user selected this in {selection.path or 'the file'}{lines}:\n\n"
        f"```\n{selection.text}\n```"
    )
