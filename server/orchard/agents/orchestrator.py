"""The orchestrator: `start_task(spec)` snapshots the user's state, plans (fan-out) or copies
(best-of-N) the request to agents, and runs them under a global limit, with cancellation and a
token/cost budget. One agent failing never touches the others. Runs on the caller's loop; no lsp.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any

from orchard.agents.budget import BUDGET_EXHAUSTED, Budget
from orchard.agents.environment import (
    Assignment,
    LoopEnvironment,
    MapSource,
    MemorySource,
    PastFindings,
)
from orchard.agents.events import EventBus, TaskFinished, TaskStarted
from orchard.agents.fanout import Integrate, fan_out_policy, integration_of, run_after
from orchard.agents.integration import Integration
from orchard.agents.mapsource import live_map_source
from orchard.agents.outcome import RunOutcome
from orchard.agents.planner import MAX_SUBTASKS, Plan, parse_plan, planner_messages
from orchard.agents.result import TaskResult
from orchard.agents.resume import resumable_runs, task_snapshot
from orchard.agents.reviewing import TaskReview
from orchard.agents.run import AgentLoop
from orchard.agents.task import (
    AgentRun,
    RunState,
    Task,
    TaskMode,
    TaskSpec,
    TaskState,
    agent_id_for,
    check_spec,
    request_with_selection,
)
from orchard.agents.workers import Workers
from orchard.config import Settings
from orchard.errors import OrchardError, RunConflict, TaskNotFound
from orchard.memory.journal import Journal
from orchard.models.client import ModelClient, load_litellm
from orchard.repomap.live import LiveRepoMap
from orchard.vcs.cleanup import prune
from orchard.vcs.git import remove_stale_indexes
from orchard.vcs.names import branch_name, worktree_path
from orchard.vcs.repository import git_common_dir, repository_root, state_db_path
from orchard.vcs.snapshot import NO_BUFFERS, Snapshot, create_snapshot

log = logging.getLogger(__name__)

DEFAULT_TEST_TIMEOUT = 600.0


class TaskHandle:
    """A running task: its agents, their asyncio tasks, cancellation, and the final result."""

    def __init__(
        self,
        task_id: str,
        snapshot: Snapshot,
        loops: list[AgentLoop],
        plan: Plan | None,
        committed_before: bool = False,
        review: TaskReview | None = None,
    ):
        self.task_id = task_id
        self.review = review
        self.committed_before = committed_before  # a resumed task's other runs had committed
        self.snapshot = snapshot
        self.loops = {loop.agent_id: loop for loop in loops}
        self.plan = plan
        self.cancelled = False
        self.waits_for: dict[str, str] = {}  # agent -> the agent whose result it starts from
        self.integrate: Integrate | None = None
        self._runs: dict[str, asyncio.Task[RunOutcome]] = {}
        self._done: asyncio.Task[TaskResult] | None = None
        self._merging: asyncio.Future[Integration | None] | None = None

    def cancel(self, agent_id: str | None = None) -> None:
        """Cancel one agent (its model stream closes), or every agent of the task."""
        if agent_id is not None and agent_id not in self.loops:
            raise TaskNotFound(f"task {self.task_id} has no agent {agent_id!r}")
        if agent_id is None:
            self.cancelled = True
            if self._merging is not None:
                self._merging.cancel()
        for name, run in self._runs.items():
            if agent_id in (None, name):
                run.cancel()

    def stop(self, reason: str) -> None:
        """End every unfinished agent as failed with `reason` (queued ones never start)."""
        for name, run in self._runs.items():
            loop = self.loops[name]
            if not loop.state.is_final and not run.done():
                loop.stop_reason = reason
                run.cancel()

    @property
    def finished(self) -> bool:
        """Whether every agent has ended and the result is known."""
        return self._done is not None and self._done.done()

    async def wait(self) -> TaskResult:
        """Wait until every agent has ended and return the result."""
        assert self._done is not None, "the task was never started"
        return await asyncio.shield(self._done)

    def outcomes(self) -> list[RunOutcome]:
        """Return every agent's outcome as it stands now."""
        return [loop.outcome() for loop in self.loops.values()]

    def _work(self, loop: AgentLoop, gate: asyncio.Semaphore) -> Coroutine[Any, Any, RunOutcome]:
        return self.review.run_agent(loop, gate) if self.review else loop.run(gate)

    def _launch(
        self,
        gate: asyncio.Semaphore,
        journal: Journal,
        bus: EventBus,
        workers: Workers,
        time_limit: float | None = None,
    ) -> None:
        for name, loop in self.loops.items():
            first = self.waits_for.get(name)
            work = (
                self._work(loop, gate)
                if first is None
                else run_after(self._runs[first], self.loops[first], loop, self._work, gate)
            )
            self._runs[name] = asyncio.create_task(work, name=f"orchard-{loop.run_id}")
        timer = None
        if time_limit is not None:
            reason = f"time limit of {time_limit:g} s reached"
            timer = asyncio.get_running_loop().call_later(time_limit, self.stop, reason)
        self._done = asyncio.create_task(self._supervise(journal, bus, workers, timer))

    async def _supervise(
        self,
        journal: Journal,
        bus: EventBus,
        workers: Workers,
        timer: asyncio.TimerHandle | None = None,
    ) -> TaskResult:
        await asyncio.gather(*self._runs.values(), return_exceptions=True)
        if timer is not None:
            timer.cancel()
        for loop in self.loops.values():
            await loop.settle()
        outcomes = tuple(self.outcomes())
        integration = None
        if self.integrate is not None and not self.cancelled:
            await workers.record(journal.set_task_state, self.task_id, TaskState.MERGING)
            self._merging = asyncio.ensure_future(self.integrate())
            with contextlib.suppress(asyncio.CancelledError):  # cancel() stops the integration
                integration = await self._merging
        if self.cancelled:
            state = TaskState.CANCELLED
        elif self.committed_before or any(o.state is RunState.COMMITTED for o in outcomes):
            state = TaskState.DONE
        elif all(o.state is RunState.CANCELLED for o in outcomes):
            state = TaskState.CANCELLED
        else:
            state = TaskState.FAILED
        error = None if state is TaskState.DONE else _task_error(outcomes)
        judged = await self.review.judge() if self.review and state is TaskState.DONE else None
        await workers.record(journal.set_task_state, self.task_id, state, error=error)
        bus.publish(TaskFinished(self.task_id, state))
        found = dict(self.review.findings) if self.review else {}
        return TaskResult(
            self.task_id,
            state,
            self.snapshot.commit,
            outcomes,
            self.plan,
            judged,
            found,
            integration,
        )


def _task_error(outcomes: tuple[RunOutcome, ...]) -> str:
    reasons = sorted({o.error for o in outcomes if o.error})
    return "no agent committed" + (f": {'; '.join(reasons)}" if reasons else "")


class Orchestrator:
    """Starts and tracks tasks in one repository; one per event loop (the service owns it).

    The constructor does no blocking work: `open()` finds the repository, opens the journal and
    recovers dead processes' runs on a worker thread.
    """

    def __init__(
        self,
        root: Path,
        settings: Settings,
        journal: Journal,
        *,
        bus: EventBus | None = None,
        client: ModelClient | None = None,
        map_source: MapSource | None = None,
        memory_hits: MemorySource | None = None,
        past_findings: PastFindings | None = None,
    ) -> None:
        self.root = root
        self.past_findings = past_findings
        self.settings = settings
        self.journal = journal
        self.bus = bus or EventBus()
        self.client = client or ModelClient(settings)
        self.memory_hits = memory_hits
        self.workers = Workers(settings.agents.max_agents)
        self.tasks: dict[str, TaskHandle] = {}
        self._gate: asyncio.Semaphore | None = None
        # Without a live map handed in (the service's), the orchestrator keeps one of its own.
        self._own_map: LiveRepoMap | None = None
        if map_source is None:
            self._own_map = LiveRepoMap(root, settings.repomap)
            map_source = live_map_source(self._own_map)
        self.map_source: MapSource = map_source

    @classmethod
    async def open(
        cls,
        repo_root: Path,
        settings: Settings,
        *,
        bus: EventBus | None = None,
        client: ModelClient | None = None,
        map_source: MapSource | None = None,
        memory_hits: MemorySource | None = None,
        past_findings: PastFindings | None = None,
        recover: bool = True,
    ) -> Orchestrator:
        """Find the repository around `repo_root`, open its journal, recover; return it."""

        def prepare() -> tuple[Path, Journal]:
            root = repository_root(repo_root)
            journal = Journal(state_db_path(root))
            if recover:
                journal.recover()
                remove_stale_indexes(git_common_dir(root))
            return root, journal

        root, journal = await asyncio.to_thread(prepare)
        return cls(
            root,
            settings,
            journal,
            bus=bus,
            client=client,
            map_source=map_source,
            memory_hits=memory_hits,
            past_findings=past_findings,
        )

    def close(self) -> None:
        """Stop the worker threads and close the journal (after every task has ended)."""
        self.workers.close()
        self.journal.close()

    @property
    def gate(self) -> asyncio.Semaphore:
        """The global limit on agents working at once (settings.agents.max_agents)."""
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.settings.agents.max_agents)
        return self._gate

    async def run_task(
        self, spec: TaskSpec, buffers: Mapping[str, str | bytes] = NO_BUFFERS
    ) -> TaskResult:
        """Start a task and wait for every agent to end."""
        handle = await self.start_task(spec, buffers)
        return await handle.wait()

    async def start_task(
        self, spec: TaskSpec, buffers: Mapping[str, str | bytes] = NO_BUFFERS
    ) -> TaskHandle:
        """Record the task, snapshot the user's state (with `buffers`), and launch its agents."""
        check_spec(spec)
        if self._own_map is not None:
            self._own_map.mark_stale()  # the user's tree may have changed since the last task
        await asyncio.to_thread(load_litellm)  # ~2 s once per process; never on the loop
        task = await self.workers.record(self.journal.create_task, spec)
        budget = Budget(spec.limits.max_tokens, spec.limits.max_cost_usd)
        try:
            running = [t for t, h in self.tasks.items() if not h.finished]
            keep = self.settings.agents.keep_worktrees
            mine = {*running, task.id}
            spared = lambda: mine | self.journal.live_task_ids()  # noqa: E731 - read under the lock
            await self.workers.run(prune, self.root, keep, protect=spared)
            snapshot = await self.workers.run(create_snapshot, self.root, task.id, buffers)
            await self.workers.record(
                self.journal.set_task_state, task.id, TaskState.RUNNING, snapshot=snapshot.commit
            )
            assignments, plan = await self._assign(spec, budget)
        except (OrchardError, OSError) as exc:
            await self.workers.record(
                self.journal.set_task_state, task.id, TaskState.FAILED, error=str(exc)
            )
            raise
        handle = await self._prepare(task.id, spec, snapshot, budget, assignments, plan)
        self.tasks[task.id] = handle
        limit = spec.limits.max_seconds or self.settings.limits.task_seconds
        handle._launch(self.gate, self.journal, self.bus, self.workers, limit)
        return handle

    async def resume_task(self, task_id: str) -> TaskHandle:
        """Re-launch a task's interrupted runs (same agent, model, branch, worktree); return it.

        Each run continues from what its worktree holds: earlier commits and uncommitted files
        stay. What the task spent before counts against its budget. Runs of a live process are
        never taken over (the journal's claim is atomic); raise OrchardError when none resume.
        """
        task = await self.workers.record(self.journal.task, task_id)
        if task is None:
            raise TaskNotFound(f"no task {task_id}")
        if task_id in self.tasks and not self.tasks[task_id].finished:
            raise RunConflict(f"task {task_id} is already running in this process")
        waiting = await self.workers.record(resumable_runs, self.journal, task)
        snapshot = await self.workers.run(task_snapshot, self.root, task)
        await asyncio.to_thread(load_litellm)
        budget = Budget(task.spec.limits.max_tokens, task.spec.limits.max_cost_usd)
        budget.tokens, budget.cost_usd = await self.workers.record(self.journal.spent, task_id)
        claimed = []
        for run in waiting:
            try:
                claimed.append(await self.workers.record(self.journal.resume_run, run.id))
            except RunConflict as exc:  # another process resumed it first
                log.warning("not resuming %s: %s", run.id, exc)
        if not claimed:
            raise RunConflict(f"task {task_id} has nothing left to resume")
        await self.workers.record(self.journal.set_task_state, task_id, TaskState.RUNNING)
        env = self._environment(task.spec, snapshot, budget)
        loops = [
            AgentLoop(env, item, run.id, run.branch, Path(run.worktree), resumed=True)
            for run, item in zip(claimed, await self._reassign(task, claimed), strict=True)
        ]
        others = await self.workers.record(self.journal.runs, task_id)
        committed = any(r.state is RunState.COMMITTED for r in others)
        review = TaskReview(env, task.spec.mode, task.spec.request)
        handle = TaskHandle(task_id, snapshot, loops, None, committed, review)
        env.on_budget_exhausted = lambda: handle.stop(BUDGET_EXHAUSTED)
        handle.integrate = integration_of(env, task.spec)
        agents = tuple((run.agent_id, run.model) for run in claimed)
        self.bus.publish(TaskStarted(task_id, snapshot.commit, agents))
        self.tasks[task_id] = handle
        limit = task.spec.limits.max_seconds or self.settings.limits.task_seconds
        handle._launch(self.gate, self.journal, self.bus, self.workers, limit)
        return handle

    async def _reassign(self, task: Task, runs: list[AgentRun]) -> list[Assignment]:
        """Rebuild what each run was asked: the spec (best-of-N) or its journaled plan (fan-out)."""
        spec = task.spec
        request = request_with_selection(spec)
        assignments = []
        for run in runs:
            plan = [
                e
                for e in await self.workers.record(self.journal.events, run.id)
                if e.kind == "plan"
            ]
            if spec.mode is TaskMode.BEST_OF_N or not plan:
                assignments.append(
                    Assignment(run.agent_id, run.model, request, spec.editable, spec.read_only)
                )
                continue
            data = plan[-1].data
            editable = tuple(data.get("files", ()))
            read_only = tuple(
                data.get("read_only")
                or [p for p in (*spec.editable, *spec.read_only) if p not in editable]
            )
            title = str(data.get("title", ""))
            asked = str(data.get("request") or f"{title}\n\n(This is one part of: {request})")
            assignments.append(
                Assignment(run.agent_id, run.model, asked, editable, read_only, title)
            )
        return assignments

    def cancel(self, task_id: str, agent_id: str | None = None) -> None:
        """Cancel a running task, or one of its agents."""
        handle = self.tasks.get(task_id)
        if handle is None:
            raise RunConflict(f"task {task_id} is not running in this process")
        handle.cancel(agent_id)

    async def _prepare(
        self,
        task_id: str,
        spec: TaskSpec,
        snapshot: Snapshot,
        budget: Budget,
        assignments: list[Assignment],
        plan: Plan | None,
    ) -> TaskHandle:
        env = self._environment(spec, snapshot, budget)
        common = git_common_dir(self.root)
        loops = []
        for item in assignments:
            branch = branch_name(task_id, item.agent_id)
            path = worktree_path(common, task_id, item.agent_id)
            run = await self.workers.record(
                self.journal.add_run, task_id, item.agent_id, item.model, branch, path
            )
            loops.append(AgentLoop(env, item, run.id, branch, path))
        handle = TaskHandle(
            task_id, snapshot, loops, plan, False, TaskReview(env, spec.mode, spec.request)
        )
        env.on_budget_exhausted = lambda: handle.stop(BUDGET_EXHAUSTED)
        agents = tuple((a.agent_id, a.model) for a in assignments)
        self.bus.publish(TaskStarted(task_id, snapshot.commit, agents))
        handle.waits_for, handle.integrate = await fan_out_policy(env, spec, assignments, plan)
        return handle

    def _environment(self, spec: TaskSpec, snapshot: Snapshot, budget: Budget) -> LoopEnvironment:
        return LoopEnvironment(
            settings=self.settings,
            client=self.client,
            journal=self.journal,
            bus=self.bus,
            snapshot=snapshot,
            budget=budget,
            workers=self.workers,
            repo_map=self.map_source,
            memory_hits=self.memory_hits,
            past_findings=self.past_findings,
            test_timeout=spec.limits.test_timeout or DEFAULT_TEST_TIMEOUT,
        )

    async def _assign(self, spec: TaskSpec, budget: Budget) -> tuple[list[Assignment], Plan | None]:
        request = request_with_selection(spec)
        if spec.mode is TaskMode.BEST_OF_N:
            return [
                Assignment(agent_id_for(model, n), model, request, spec.editable, spec.read_only)
                for n, model in enumerate(spec.models, 1)
            ], None
        plan = await self._plan(spec, request, budget)
        assignments = []
        for n, subtask in enumerate(plan.subtasks, 1):
            model = spec.models[(n - 1) % len(spec.models)]
            editable = tuple(dict.fromkeys([*subtask.files]))
            read_only = tuple(p for p in (*spec.editable, *spec.read_only) if p not in editable)
            task_request = f"{subtask.request}\n\n(This is one part of a larger request: {request})"
            assignments.append(
                Assignment(
                    agent_id_for(model, n), model, task_request, editable, read_only, subtask.title
                )
            )
        return assignments, plan

    async def _plan(self, spec: TaskSpec, request: str, budget: Budget) -> Plan:
        model = self.settings.planner_model or spec.models[0]
        limit = len(spec.models) if len(spec.models) > 1 else MAX_SUBTASKS
        renderer = await self.map_source(self.root, Assignment("planner", model, request))
        map_text = renderer(self.settings.repomap.map_tokens) if renderer else ""
        messages = planner_messages(request, [*spec.editable, *spec.read_only], map_text, limit)
        completion = await self.client.complete(model, messages, stream=False)
        budget.charge(completion.usage)
        return parse_plan(completion.text, limit)
