"""Bringing a result back, for the service: which agent a task's result is (named, the judge's
recommendation, or the only one that committed), its merge into the user's current state,
and what accepting it wrote. Git work goes through vcs/ on worker threads; never a front door.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchard.agents.task import run_id_for
from orchard.config import Settings
from orchard.errors import ResultNotChosen, RunConflict, TaskNotFound
from orchard.vcs.merge_plan import MergePlan

if TYPE_CHECKING:
    from orchard.memory.journal import Journal
    from orchard.models.client import ModelClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MergeTarget:
    """The agent whose result is brought back, and the two commits its merge is computed from."""

    task_id: str
    agent_id: str
    base: str  # the task's snapshot
    commit: str  # the agent's commit
    request: str  # what the agent was asked (its intent, for the resolver)


@dataclass(frozen=True, slots=True)
class AcceptResult:
    """What accepting wrote into the working tree, and the plan it followed."""

    task_id: str
    agent_id: str
    plan: MergePlan
    written: tuple[str, ...]
    deleted: tuple[str, ...]

    @property
    def conflicts(self) -> tuple[str, ...]:
        """Paths left with unresolved conflicts (markers, or a binary or deleted file)."""
        return tuple(f.path for f in self.plan.conflicts)

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping."""
        return {
            "task": self.task_id,
            "agent": self.agent_id,
            "plan": self.plan.to_json(),
            "written": list(self.written),
            "deleted": list(self.deleted),
            "conflicts": list(self.conflicts),
        }


def merge_target(view: Mapping[str, Any], agent_id: str | None) -> MergeTarget:
    """Pick the run to bring back from a task view (`show_task`'s shape).

    `agent_id=None` takes the judge's recommendation when the view has one, else the only
    agent that committed; raise ResultNotChosen naming the choices (or for an agent that did
    not commit), TaskNotFound for an unknown agent.
    """
    task_id = str(view["id"])
    runs = {str(run["agent"]): run for run in view["runs"]}
    committed = [a for a, run in runs.items() if run["state"] == "committed" and run["commit"]]
    if agent_id is None:
        agent_id = _recommended(view, committed)
    if agent_id not in runs:
        known = ", ".join(runs) or "none"
        raise TaskNotFound(f"task {task_id} has no agent {agent_id!r} (agents: {known})")
    if agent_id not in committed:
        state = runs[agent_id]["state"]
        raise ResultNotChosen(f"agent {agent_id} of task {task_id} is {state}: it has no result")
    if not view.get("snapshot"):
        raise RunConflict(f"task {task_id} has no snapshot to merge against")
    commit = str(runs[agent_id]["commit"])
    return MergeTarget(task_id, agent_id, str(view["snapshot"]), commit, str(view["request"]))


def _recommended(view: Mapping[str, Any], committed: list[str]) -> str:
    recommendation = view.get("recommendation")
    if isinstance(recommendation, Mapping):
        agent = recommendation.get("agent")
        if isinstance(agent, str) and agent in committed:
            return agent
    if len(committed) == 1:
        return committed[0]
    task_id = view["id"]
    if not committed:
        raise ResultNotChosen(f"no agent of task {task_id} committed a result to accept")
    raise ResultNotChosen(
        f"task {task_id} has {len(committed)} results and no recommendation: name one of "
        + ", ".join(committed)
    )


def accepted_record(plan: MergePlan, written: tuple[str, ...], deleted: tuple[str, ...],
                    *, by: str) -> dict[str, Any]:  # fmt: skip
    """Return the journal event's data for an accepted result (`by`: "orchard" or "editor")."""
    return {
        "by": by,
        "base": plan.base,
        "commit": plan.result,
        "written": list(written),
        "deleted": list(deleted),
        "conflicts": [f.path for f in plan.conflicts],
        "files": [f.to_json() for f in plan.files],
    }


async def plan_target(
    root: Path,
    settings: Settings,
    client: ModelClient | None,
    target: MergeTarget,
    buffers: Mapping[str, str | bytes],
) -> MergePlan:
    """Plan the merge of `target`; conflicts go to the resolver when a client is handed in."""
    from orchard.vcs.merge import plan_merge

    plan = await asyncio.to_thread(
        plan_merge, root, target.task_id, target.agent_id, target.base, target.commit, buffers
    )
    if plan.is_clean or client is None or not settings.resolver_model:
        return plan
    from orchard.review.resolver import resolve_plan

    return await resolve_plan(plan, target.request, root=root, settings=settings, client=client)


async def record_acceptance(
    root: Path,
    journal: Journal,
    plan: MergePlan,
    written: tuple[str, ...],
    deleted: tuple[str, ...],
    *,
    by: str,
) -> None:
    """Journal an accepted plan on its run and remove the task's worktrees (branches stay;
    an agent still working keeps its checkout)."""

    def record() -> None:
        from orchard.vcs.cleanup import remove_worktree
        from orchard.vcs.worktree import list_task_worktrees

        task_id = plan.task_id
        data = accepted_record(plan, written, deleted, by=by)
        journal.record_event(run_id_for(task_id, plan.agent_id), "accepted", data)
        busy = {run.agent_id for run in journal.runs(task_id) if run.state.in_flight}
        for worktree in list_task_worktrees(root, task_id):
            if worktree.agent_id not in busy:
                remove_worktree(worktree)

    await asyncio.to_thread(record)
    log.info(
        "accepted %s/%s (%s): %d written, %d deleted, %d conflicts",
        plan.task_id,
        plan.agent_id,
        by,
        len(written),
        len(deleted),
        len(plan.conflicts),
    )
