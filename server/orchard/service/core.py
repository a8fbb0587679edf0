"""OrchardService: one per repository and event loop. `open()` does the blocking work (find the
repository, load settings, open the journal, recover dead runs) on a worker thread; every method
is async and JSON-ready where a front door shows the result. Never imports lsp or cli.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchard.agents.events import EventBus
from orchard.agents.task import TaskMode, TaskState
from orchard.config import Settings, find_repository_root, load_settings
from orchard.errors import RunConflict, TaskNotFound, WorkspaceError
from orchard.repomap.live import LiveRepoMap
from orchard.service.requests import TaskRequest, task_spec
from orchard.service.views import VIEW_EVENTS, event_view, task_view

if TYPE_CHECKING:
    from orchard.agents.environment import MemorySource
    from orchard.agents.orchestrator import Orchestrator, TaskHandle
    from orchard.agents.result import TaskResult
    from orchard.memory.api import Memory
    from orchard.memory.journal import Journal
    from orchard.memory.search import MemoryHit
    from orchard.models.client import ModelClient
    from orchard.repomap import MapRequest, RenderedMap
    from orchard.review.findings import Finding
    from orchard.review.report import ReviewReport
    from orchard.service.accepting import AcceptResult, MergeTarget
    from orchard.service.memory import RunRecorder
    from orchard.service.publish import PublishResult
    from orchard.vcs.file_diffs import FileDiff
    from orchard.vcs.merge_plan import MergePlan

# The task half (agents, vcs) imports GitPython and the model layer: a service that only maps
# (`orchard map`) never pays for it, so those imports happen where tasks are first touched.

log = logging.getLogger(__name__)

ENDED = (TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED, TaskState.INTERRUPTED)
NO_BUFFERS: Mapping[str, str | bytes] = {}


@dataclass(frozen=True, slots=True)
class Cleanup:
    """What `discard` or `clean` removed."""

    tasks: tuple[str, ...]
    worktrees: int
    refs: int

    def to_json(self) -> dict[str, Any]:
        """Return the cleanup as a JSON-ready mapping."""
        return {"tasks": list(self.tasks), "worktrees": self.worktrees, "refs": self.refs}


class OrchardService:
    """Settings, live map, journal, orchestrator and event bus of one repository."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        live_map: LiveRepoMap,
        orchestrator: Orchestrator | None,
        memory: Memory | None = None,
    ) -> None:
        self.root = root
        self.settings = settings
        self.live_map = live_map
        self._orchestrator = orchestrator
        self.bus = orchestrator.bus if orchestrator else EventBus()
        self._memory = memory
        self._recorder: RunRecorder | None = None
        if memory is not None and orchestrator is not None:
            from orchard.service.memory import RunRecorder

            self._recorder = RunRecorder(memory, self.bus, orchestrator.tasks.get)

    @classmethod
    async def open(
        cls,
        start: Path,
        settings: Settings | None = None,
        *,
        live_map: LiveRepoMap | None = None,
        client: ModelClient | None = None,
        memory_hits: MemorySource | None = None,
        bus: EventBus | None = None,
        tasks: bool = True,
    ) -> OrchardService:
        """Open the service for the repository around `start` (a plain folder maps, no tasks).

        `tasks=False` skips the journal, for callers that only map.
        """

        def prepare() -> tuple[Path, Settings, Journal | None]:
            git_root = find_repository_root(start)
            root = git_root.resolve() if git_root else start.resolve()
            chosen = settings if settings is not None else load_settings(root).settings
            if not (git_root and tasks):
                return root, chosen, None
            # Imported here, on the worker thread: the task half costs ~1 s to import.
            from orchard.agents.mapsource import live_map_source  # noqa: F401
            from orchard.agents.orchestrator import Orchestrator  # noqa: F401
            from orchard.memory.journal import Journal
            from orchard.vcs.git import remove_stale_indexes
            from orchard.vcs.repository import git_common_dir, repository_root, state_db_path

            root = repository_root(git_root)
            journal = Journal(state_db_path(root))
            journal.recover()  # runs of dead processes marked interrupted, their groups ended
            remove_stale_indexes(git_common_dir(root))  # left by a crash during a snapshot
            return root, chosen, journal

        root, chosen, journal = await asyncio.to_thread(prepare)
        live = live_map or LiveRepoMap(root, chosen.repomap)
        orchestrator = memory = None
        if journal is not None:
            from orchard.agents.mapsource import live_map_source
            from orchard.agents.orchestrator import Orchestrator
            from orchard.models.client import ModelClient
            from orchard.service.memory import open_memory

            client = client or ModelClient(chosen)
            past_findings = None
            if chosen.memory.enabled:
                memory = await open_memory(root, journal.path, chosen, client)
                memory_hits = memory_hits or memory.prompt_hits
                past_findings = memory.past_findings
            orchestrator = Orchestrator(
                root,
                chosen,
                journal,
                bus=bus,
                client=client,
                map_source=live_map_source(live),
                memory_hits=memory_hits,
                past_findings=past_findings,
            )
        return cls(root, chosen, live, orchestrator, memory)

    def update_settings(self, settings: Settings) -> None:
        """Put `settings` in force for tasks started from now on."""
        self.settings = settings
        if self._memory is not None:
            self._memory.settings = settings
        if self._orchestrator is not None:
            self._orchestrator.settings = settings
            self._orchestrator.client.settings = settings

    async def close(self) -> None:
        """Close the journal, memory and the worker threads (after every task has ended)."""
        if self._recorder is not None:
            await self._recorder.close()
        if self._memory is not None:
            await self._memory.close()
        if self._orchestrator is not None:
            await asyncio.to_thread(self._orchestrator.close)

    @property
    def orchestrator(self) -> Orchestrator:
        """The orchestrator; raise WorkspaceError outside a git repository."""
        if self._orchestrator is None:
            raise WorkspaceError(f"{self.root} is not inside a git repository: agents need one")
        return self._orchestrator

    @property
    def journal(self) -> Journal:
        """The journal of the repository's state database."""
        return self.orchestrator.journal

    # Tasks -----------------------------------------------------------------------------------

    async def start_task(
        self, request: TaskRequest, buffers: Mapping[str, str | bytes] = NO_BUFFERS
    ) -> TaskHandle:
        """Settle `request`, snapshot the user's state (with `buffers`), launch the agents."""
        spec = task_spec(request, self.settings)
        await self.check_models(spec.models, planner=spec.mode is TaskMode.FAN_OUT)
        self.live_map.mark_stale()
        return await self.orchestrator.start_task(spec, buffers)

    async def check_models(self, models: tuple[str, ...], *, planner: bool = False) -> None:
        """Raise ModelsNotReady (one line per model) before anything is created, when a model
        cannot be called: unknown provider, missing key. No network; litellm loads off the loop."""
        from orchard.models.preflight import require_models

        wanted = [*models, *([self.settings.planner_model] if planner else [])]
        await asyncio.to_thread(require_models, self.settings, [m for m in wanted if m])

    async def resume(self, task_id: str) -> TaskHandle:
        """Re-launch a task's interrupted runs; raise TaskNotFound, RunConflict, or
        ModelsNotReady when a model of the task can no longer be called."""
        task = await asyncio.to_thread(self.journal.task, task_id)
        if task is None:
            raise TaskNotFound(f"no task {task_id}")
        await self.check_models(task.spec.models)
        return await self.orchestrator.resume_task(task_id)

    async def wait(self, handle: TaskHandle) -> TaskResult:
        """Wait for `handle` to end; when the waiter is cancelled, cancel its agents first."""
        try:
            return await handle.wait()
        except asyncio.CancelledError:
            handle.cancel()  # every agent ends as cancelled, journaled, then the result comes
            return await handle.wait()

    def cancel(self, task_id: str, agent_id: str | None = None) -> None:
        """Cancel a task running in this process, or one of its agents."""
        self.orchestrator.cancel(task_id, agent_id)

    def running(self, task_id: str) -> TaskHandle | None:
        """Return the handle of `task_id` while it runs in this process."""
        handle = self.orchestrator.tasks.get(task_id)
        return handle if handle is not None and not handle.finished else None

    async def list_tasks(self) -> list[dict[str, Any]]:
        """Return every task (newest first as the journal orders them) with its runs."""
        journal = self.journal

        def read() -> list[dict[str, Any]]:
            return [
                task_view(task, journal.runs(task.id), journal.task_events(task.id, VIEW_EVENTS))
                for task in journal.tasks()
            ]

        return await asyncio.to_thread(read)

    async def show_task(self, task_id: str, *, events: bool = False) -> dict[str, Any]:
        """Return one task with its runs (and their events); raise TaskNotFound."""
        journal = self.journal

        def read() -> dict[str, Any]:
            task = journal.task(task_id)
            if task is None:
                raise TaskNotFound(f"no task {task_id}")
            runs = journal.runs(task_id)
            view = task_view(task, runs, journal.task_events(task_id, VIEW_EVENTS))
            if events:
                view["events"] = {
                    run.id: [event_view(e) for e in journal.events(run.id)] for run in runs
                }
            return view

        return await asyncio.to_thread(read)

    async def discard(self, task_id: str) -> Cleanup:
        """Throw a task away: its worktrees, branches and refs; cancel it first if it runs here."""
        handle = self.running(task_id)
        if handle is not None:
            handle.cancel()
            await handle.wait()
        journal, root = self.journal, self.root

        def drop() -> Cleanup:
            from orchard.vcs.cleanup import discard_task

            task = journal.task(task_id)
            if task is None:
                raise TaskNotFound(f"no task {task_id}")
            if task.state.is_active:
                raise RunConflict(
                    f"task {task_id} is still running in another Orchard process;"
                    " cancel it there first"
                )
            cleanup = discard_task(root, task_id)
            journal.discard(task_id)
            return Cleanup((task_id,), len(cleanup.worktrees), len(cleanup.refs))

        cleanup = await asyncio.to_thread(drop)
        await self._remember_discarded(cleanup.tasks)
        return cleanup

    async def clean(self, *, everything: bool = False) -> Cleanup:
        """Remove ended tasks' worktrees (keeping branches), or with `everything` discard them."""
        journal, root, keep = self.journal, self.root, self.settings.agents.keep_worktrees

        def sweep() -> Cleanup:
            from orchard.vcs.cleanup import discard_task, prune, remove_worktree
            from orchard.vcs.worktree import list_task_worktrees

            tasks = journal.tasks()
            ended = [t for t in tasks if t.state in ENDED]
            if everything:
                worktrees = refs = 0
                for task in ended:
                    cleanup = discard_task(root, task.id)
                    journal.discard(task.id)
                    worktrees += len(cleanup.worktrees)
                    refs += len(cleanup.refs)
                return Cleanup(tuple(t.id for t in ended), worktrees, refs)
            active = {t.id for t in tasks if t.state.is_active}
            # evaluated under the repository lock: a task another process starts meanwhile counts
            removed = prune(root, keep, protect=lambda: active | journal.live_task_ids())
            ended_ids = {t.id for t in ended}
            for worktree in list_task_worktrees(root):
                if worktree.task_id in ended_ids:
                    remove_worktree(worktree)
                    removed.append(worktree)
            return Cleanup((), len(removed), 0)

        cleanup = await asyncio.to_thread(sweep)
        await self._remember_discarded(cleanup.tasks)
        return cleanup

    async def publish(
        self,
        task_id: str,
        agent_id: str | None = None,
        *,
        remote: str | None = None,
        branch: str | None = None,
        base: str | None = None,
        pr: bool = False,
        draft: bool = False,
    ) -> PublishResult:
        """Push an agent's commit (the judge's pick by default) to `remote` as `branch` (default
        `orchard/<task>-<agent>`) and, with `pr`, open a pull request into `base`."""
        from orchard.service.publish import PublishOptions, publish_agent

        view = await self.show_task(task_id)
        options = PublishOptions(remote, branch, base, pr, draft)
        return await publish_agent(
            view,
            options,
            agent_id=agent_id,
            root=self.root,
            settings=self.settings,
            journal=self.journal,
        )

    # Bringing results back ---------------------------------------------------------------------

    async def plan(
        self,
        task_id: str,
        agent_id: str | None = None,
        buffers: Mapping[str, str | bytes] = NO_BUFFERS,
    ) -> MergePlan:
        """Merge an agent's result (None: the recommended one) into the user's current state
        (disk + `buffers`), conflicts through the resolver when one is set; write nothing."""
        target = await self._merge_target(task_id, agent_id)
        return await self._plan_target(target, buffers)

    async def accept(
        self,
        task_id: str,
        agent_id: str | None = None,
        buffers: Mapping[str, str | bytes] = NO_BUFFERS,
    ) -> AcceptResult:
        """Plan, check no file moved meanwhile (else plan once more), write the files, journal
        it and remove the task's worktrees (branches stay). Raise RunConflict when files keep
        moving; nothing is written then."""
        from orchard.service.accepting import AcceptResult
        from orchard.vcs.apply_plan import apply_plan, moved_paths

        target = await self._merge_target(task_id, agent_id)
        plan = await self._plan_target(target, buffers)
        moved = await asyncio.to_thread(moved_paths, self.root, plan)
        if moved:
            log.info("files moved while planning %s: %s; planning again", task_id, moved)
            plan = await self._plan_target(target, buffers)
            moved = await asyncio.to_thread(moved_paths, self.root, plan)
        if moved:
            raise RunConflict(
                f"files changed while accepting {task_id}/{target.agent_id}: "
                f"{', '.join(moved)}; nothing was written, try again"
            )
        applied = await asyncio.to_thread(apply_plan, self.root, plan)
        await self._accepted(target.task_id, plan, applied.written, applied.deleted, by="orchard")
        return AcceptResult(task_id, target.agent_id, plan, applied.written, applied.deleted)

    async def record_accepted(self, task_id: str, agent_id: str, plan: MergePlan) -> None:
        """Journal a plan the editor applied itself (a workspace edit) as accepted, and remove
        the task's worktrees."""
        written = tuple(f.path for f in plan.files if f.result is not None)
        deleted = tuple(
            [f.path for f in plan.files if f.result is None]
            + [f.old_path for f in plan.files if f.old_path and f.old_path != f.path]
        )
        if (plan.task_id, plan.agent_id) != (task_id, agent_id):
            raise RunConflict(f"that plan is of {plan.task_id}/{plan.agent_id}, not {agent_id}")
        await self._merge_target(task_id, agent_id)  # the task and agent exist and committed
        await self._accepted(task_id, plan, written, deleted, by="editor")

    async def agent_diff(self, task_id: str, agent_id: str) -> list[FileDiff]:
        """Return what `agent_id` changed against its task's snapshot, file by file."""
        from orchard.vcs.file_diffs import file_diffs

        target = await self._merge_target(task_id, agent_id)
        return await asyncio.to_thread(file_diffs, self.root, target.base, target.commit)

    async def _merge_target(self, task_id: str, agent_id: str | None) -> MergeTarget:
        from orchard.service.accepting import merge_target

        return merge_target(await self.show_task(task_id), agent_id)

    async def _plan_target(
        self, target: MergeTarget, buffers: Mapping[str, str | bytes]
    ) -> MergePlan:
        from orchard.service.accepting import plan_target

        client = self.orchestrator.client if self.settings.resolver_model else None
        return await plan_target(self.root, self.settings, client, target, buffers)

    async def _accepted(
        self,
        task_id: str,
        plan: MergePlan,
        written: tuple[str, ...],
        deleted: tuple[str, ...],
        *,
        by: str,
    ) -> None:
        from orchard.agents.events import TaskAccepted
        from orchard.service.accepting import record_acceptance

        await record_acceptance(self.root, self.journal, plan, written, deleted, by=by)
        if self._memory is not None:
            if self._recorder is not None:
                await self._recorder.flush()
            from orchard.memory.history import Outcome

            await self._memory.set_outcome(task_id, Outcome.ACCEPTED, plan.agent_id)
        self.bus.publish(TaskAccepted(task_id, plan.agent_id))

    # Review ----------------------------------------------------------------------------------

    async def review(self, base: str = "HEAD", branch: str | None = None) -> ReviewReport:
        """Review the working tree's changes against `base`, or `branch` against its merge base;
        raise ReviewerNotConfigured without `reviewer_model`, SettingsError on a bad ref."""
        from orchard.service.reviews import review_changes

        return await review_changes(self, self._memory, base, branch)

    async def findings(self, task_id: str) -> dict[str, list[Finding]]:
        """Return the journaled review findings of each reviewed agent of a task."""
        from orchard.service.reviews import task_findings

        return await task_findings(self.journal, task_id)

    # The map ---------------------------------------------------------------------------------

    async def render_map(self, request: MapRequest) -> RenderedMap:
        """Rank the live map for `request` and render it, off the event loop."""
        repo_map = await self.live_map.get()
        return await asyncio.to_thread(repo_map.render, request)

    # Memory ----------------------------------------------------------------------------------

    @property
    def memory(self) -> Memory:
        """The repository's memory; raise WorkspaceError when it is off or there is no git."""
        if self._memory is None:
            raise WorkspaceError(
                f"memory is off for {self.root}: it needs a git repository and memory.enabled"
            )
        return self._memory

    async def search_memory(self, query: str, limit: int | None = None) -> list[MemoryHit]:
        """Search chunks and past tasks (hybrid full-text and vector, fused)."""
        return await self.memory.search(query, limit)

    async def _remember_discarded(self, task_ids: tuple[str, ...]) -> None:
        if self._memory is None:
            return
        if self._recorder is not None:
            await self._recorder.flush()
        from orchard.memory.history import Outcome

        for task_id in task_ids:
            await self._memory.set_outcome(task_id, Outcome.DISCARDED)
