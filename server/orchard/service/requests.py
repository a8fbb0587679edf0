"""What a front door asks for when it starts a task, and the policy that settles it into a
journaled TaskSpec: which models run, how many agents, which files. No flag or protocol names
in its messages: a CLI user and an editor user read the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchard.agents.task import Selection, TaskLimits, TaskMode, TaskSpec
from orchard.config import Settings
from orchard.errors import SettingsError


@dataclass(frozen=True, slots=True)
class TaskRequest:
    """A task as a user asks for it; models may be left to the settings."""

    request: str
    models: tuple[str, ...] = ()  # one agent per entry, unless `agents` says otherwise
    agents: int | None = None  # how many agents; models (given or configured) are cycled
    mode: TaskMode = TaskMode.BEST_OF_N
    files: tuple[str, ...] = ()  # repo-relative paths the agents may edit
    read_only: tuple[str, ...] = ()  # repo-relative paths shown for context
    selection: Selection | None = None
    limits: TaskLimits = field(default_factory=TaskLimits)
    parallel_overlaps: bool = False  # fan-out: subtasks sharing a file run at once, not in turn


MODE_NAMES = {
    "best_of_n": TaskMode.BEST_OF_N,
    "best-of": TaskMode.BEST_OF_N,
    "fan_out": TaskMode.FAN_OUT,
    "fan-out": TaskMode.FAN_OUT,
}


def parse_mode(name: str) -> TaskMode:
    """Return the mode called `name` (best_of_n / best-of, fan_out / fan-out)."""
    mode = MODE_NAMES.get(name.strip().lower().replace("bestofn", "best_of_n"))
    if mode is None:
        raise SettingsError(f"unknown mode {name!r}: use best_of_n or fan_out")
    return mode


def choose_models(request: TaskRequest, settings: Settings) -> tuple[str, ...]:
    """Return one model string per agent for `request`; raise SettingsError when none can run."""
    if request.agents is not None and request.agents < 1:
        raise SettingsError("the number of agents must be at least 1")
    named = tuple(m.strip() for m in request.models if m.strip())
    if request.models and not named:
        raise SettingsError("the task names no model (only empty names)")
    pool = named or tuple(entry.model for entry in settings.models)
    if not pool:
        raise SettingsError(
            "no model to run: name one for the task, or set `models` in .orchard.toml"
        )
    count = request.agents or len(pool)
    return tuple(pool[i % len(pool)] for i in range(count))


def task_spec(request: TaskRequest, settings: Settings) -> TaskSpec:
    """Settle `request` into the spec the journal keeps and the orchestrator runs."""
    if not request.request.strip():
        raise SettingsError("the task has no request: say what the agents should do")
    return TaskSpec(
        request=request.request,
        mode=request.mode,
        models=choose_models(request, settings),
        editable=tuple(_posix(p) for p in request.files),
        read_only=tuple(_posix(p) for p in request.read_only),
        selection=request.selection,
        limits=request.limits,
        parallel_overlaps=request.parallel_overlaps,
    )


def _posix(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")
