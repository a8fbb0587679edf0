"""Fan-out policy around the orchestrator: which subtasks wait for another (they share a file,
so the later one starts from the earlier one's result), and the resolver the integration uses.
and the integration run after the agents (journaled). No git or model calls of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from orchard.agents.environment import Assignment, LoopEnvironment
from orchard.agents.events import PlanMade, RunNote
from orchard.agents.integrate import (
    Integrator,
    Resolve,
    candidates,
    record_integration,
)
from orchard.agents.integration import Integration, MergeStep
from orchard.agents.outcome import RunOutcome
from orchard.agents.planner import Plan
from orchard.agents.run import AgentLoop
from orchard.agents.task import TaskMode, TaskSpec, run_id_for
from orchard.config import Settings
from orchard.errors import OrchardError
from orchard.models.client import ModelClient
from orchard.review.resolver import Intents, resolve_file
from orchard.vcs.merge_plan import FilePlan
from orchard.vcs.names import INTEGRATION_AGENT, worktree_path
from orchard.vcs.repository import git_common_dir

log = logging.getLogger(__name__)


def overlap_chains(plan: Plan, agent_ids: Sequence[str]) -> dict[str, str]:
    """Map each agent that must wait to the agent it starts after.

    Subtasks linked by shared files (directly or through others) form one chain in plan order;
    each starts from the result of the one before it.
    """
    group = list(range(len(agent_ids)))

    def find(index: int) -> int:
        while group[index] != index:
            group[index] = group[group[index]]
            index = group[index]
        return index

    for overlap in plan.overlaps:
        first, *rest = overlap.subtasks
        for other in rest:
            if max(first, other) < len(agent_ids):
                group[find(other)] = find(first)
    waits: dict[str, str] = {}
    last: dict[int, int] = {}
    for index, agent in enumerate(agent_ids):
        root = find(index)
        if root in last:
            waits[agent] = agent_ids[last[root]]
        last[root] = index
    return waits


async def run_after(
    before: asyncio.Task[RunOutcome],
    first: AgentLoop,
    loop: AgentLoop,
    work: Callable[[AgentLoop, asyncio.Semaphore], Coroutine[Any, Any, RunOutcome]],
    gate: asyncio.Semaphore,
) -> RunOutcome:
    """Run `loop` once `first` ended, from its result (or from where `first` started)."""
    await asyncio.wait({before})  # not `await before`: cancelling this must not cancel it
    loop.start = first.commit or first.start
    return await work(loop, gate)


def resolver_for(settings: Settings, client: ModelClient) -> Resolve | None:
    """Return the conflict resolver the integration calls, or None when `resolver_model` is
    unset (conflicts then stay as markers)."""
    if not settings.resolver_model:
        return None

    async def resolve(file: FilePlan, ours: str, theirs: str, root: Path) -> FilePlan:
        intents = Intents(ours=ours, theirs=theirs)
        return await resolve_file(file, intents, root=root, settings=settings, client=client)

    return resolve


async def record_plan(
    env: LoopEnvironment, assignments: Sequence[Assignment], plan: Plan, waits: dict[str, str]
) -> None:
    """Journal each agent's share of the plan (and whom it waits for); publish PlanMade."""
    task_id = env.snapshot.task_id
    names = [a.agent_id for a in assignments]
    overlaps = tuple((o.path, tuple(names[i] for i in o.subtasks)) for o in plan.overlaps)
    for item in assignments:
        shared = [path for path, owners in overlaps if item.agent_id in owners]
        data = {
            "title": item.title,
            "request": item.request,
            "files": list(item.editable),
            "read_only": list(item.read_only),
            "overlaps": shared,
            "after": waits.get(item.agent_id),
        }
        await env.workers.record(
            env.journal.record_event, run_id_for(task_id, item.agent_id), "plan", data
        )
    subtasks = tuple((a.agent_id, a.title, a.editable) for a in assignments)
    env.bus.publish(PlanMade(task_id, subtasks, overlaps))
    if overlaps:
        log.warning("task %s: subtasks share files %s", task_id, [p for p, _ in overlaps])


async def integrate_task(env: LoopEnvironment) -> Integration | None:
    """Merge the task's committed agents into its integration branch and journal the result;
    return None when no agent committed or the integration could not run (said on the bus)."""
    task_id = env.snapshot.task_id
    found = await env.workers.record(candidates, env.journal, task_id)
    if not any(c.commit for c in found):
        return None

    def told(step: MergeStep) -> None:
        message = f"merged {step.agent_id}: {step.status}"
        env.bus.publish(RunNote(task_id, INTEGRATION_AGENT, "integration", message, step.to_json()))

    integrator = Integrator(
        env.settings,
        env.snapshot,
        env.workers,
        resolver=resolver_for(env.settings, env.client),
        test_timeout=env.test_timeout,
        on_step=told,
    )
    try:
        integration = await integrator.run(found)
    except (OrchardError, OSError) as exc:
        log.warning("task %s: integration failed: %s", task_id, exc)
        env.bus.publish(RunNote(task_id, INTEGRATION_AGENT, "integration-failed", str(exc)))
        return None
    except Exception as exc:  # a bug in the integration must not leave the task unfinished
        log.exception("task %s: integration crashed", task_id)
        message = f"internal error: {type(exc).__name__}: {exc}"
        env.bus.publish(RunNote(task_id, INTEGRATION_AGENT, "integration-failed", message))
        return None
    path = worktree_path(git_common_dir(env.snapshot.root), task_id, INTEGRATION_AGENT)
    await env.workers.record(record_integration, env.journal, integration, path)
    for line in integration.summary():
        log.info("task %s %s", task_id, line.strip())
    return integration


Integrate = Callable[[], Coroutine[Any, Any, Integration | None]]


def integration_of(env: LoopEnvironment, spec: TaskSpec) -> Integrate | None:
    """Return what integrates a fan-out task once its agents end (None for best-of-N)."""
    if spec.mode is not TaskMode.FAN_OUT:
        return None
    return lambda: integrate_task(env)


async def fan_out_policy(
    env: LoopEnvironment, spec: TaskSpec, assignments: Sequence[Assignment], plan: Plan | None
) -> tuple[dict[str, str], Integrate | None]:
    """Journal the plan; return who waits for whom (unless `parallel_overlaps`) and the
    integration to run at the end."""
    waits: dict[str, str] = {}
    if plan is not None:
        if not spec.parallel_overlaps:
            waits = overlap_chains(plan, [a.agent_id for a in assignments])
        await record_plan(env, assignments, plan, waits)
    return waits, integration_of(env, spec)
