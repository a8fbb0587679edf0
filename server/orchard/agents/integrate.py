"""Fan-out integration: a task's committed agents merged in launch order into
`orchard/<task>/integration` (git work in vcs/integration.py, in its own worktree), conflicts
handed to the resolver when there is one (else markers), lint and the tests run after each merge,
and the agent whose merge broke them named. The result is journaled as agent `integration`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.agents.checks import agent_lint_pipeline, lint_changes, run_test_command
from orchard.agents.integration import INTEGRATION_EVENT, Integration, MergeStep, StepStatus
from orchard.agents.task import AgentRun, RunState, run_id_for
from orchard.agents.workers import Workers
from orchard.config import Settings
from orchard.errors import OrchardError
from orchard.memory.journal import Journal
from orchard.sandbox.bwrap import Sandbox, choose_sandbox
from orchard.vcs.integration import (
    changed_paths,
    commit_merge,
    file_at,
    integration_branch,
    merge_commits,
    move_integration,
    require_merge_tree,
)
from orchard.vcs.merge_plan import FilePlan
from orchard.vcs.names import INTEGRATION_AGENT, worktree_path
from orchard.vcs.provision import WorktreeSetup
from orchard.vcs.repository import git_common_dir
from orchard.vcs.snapshot import Snapshot
from orchard.vcs.worktree import Worktree, create_worktree

log = logging.getLogger(__name__)

Resolve = Callable[[FilePlan, str, str, Path], Awaitable[FilePlan]]  # file, ours, theirs, root
StepListener = Callable[[MergeStep], None]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One agent of the task as the integration sees it: its commit and what it was asked."""

    agent_id: str
    commit: str | None
    request: str


@dataclass(frozen=True, slots=True)
class _Checked:
    lint_errors: int
    tests: str


class Integrator:
    """Merges a fan-out task's agents one after another; `run()` returns the Integration."""

    def __init__(
        self,
        settings: Settings,
        snapshot: Snapshot,
        workers: Workers,
        *,
        resolver: Resolve | None = None,
        test_timeout: float = 600.0,
        on_step: StepListener | None = None,
    ) -> None:
        self.settings = settings
        self.snapshot = snapshot
        self.workers = workers
        self.resolver = resolver
        self.test_timeout = test_timeout
        self.on_step = on_step
        self.root = snapshot.root
        self.common = git_common_dir(snapshot.root)
        self.sandbox: Sandbox | None = None

    async def run(self, candidates: Sequence[Candidate]) -> Integration:
        """Merge every candidate's commit in order; lint and test after each merge."""
        await self.workers.run(require_merge_tree, self.root)
        worktree = await self._worktree()
        head = self.snapshot.commit
        await self.workers.run(move_integration, worktree.path, self.common, head)
        command = self.settings.agents.test_command
        baseline = await self._tests(worktree) if command else "not run"
        before = _Checked(0, baseline)
        steps: list[MergeStep] = []
        merged: list[Candidate] = []
        for candidate in candidates:
            if candidate.commit is None:
                step = MergeStep(candidate.agent_id, StepStatus.SKIPPED, None, None)
            else:
                step, head = await self._merge(worktree, head, candidate, merged)
                checked = await self._check(worktree, head)
                step = _judged(step, before, checked)
                before = checked
                merged.append(candidate)
            steps.append(step)
            if self.on_step is not None:
                self.on_step(step)
        branch = integration_branch(self.snapshot.task_id)
        return Integration(
            self.snapshot.task_id, branch, self.snapshot.commit, head, tuple(steps), baseline
        )

    async def _worktree(self) -> Worktree:
        path = worktree_path(self.common, self.snapshot.task_id, INTEGRATION_AGENT)
        agents = self.settings.agents
        choice = await asyncio.to_thread(
            choose_sandbox, agents.sandbox, [path], agents.sandbox_network, [self.root]
        )
        self.sandbox = choice.sandbox
        setup = WorktreeSetup.from_settings(agents, self.sandbox)
        return await self.workers.run(create_worktree, self.snapshot, INTEGRATION_AGENT, setup)

    async def _merge(
        self, worktree: Worktree, head: str, candidate: Candidate, merged: Sequence[Candidate]
    ) -> tuple[MergeStep, str]:
        assert candidate.commit is not None
        agent, theirs = candidate.agent_id, candidate.commit
        merge = await self.workers.run(merge_commits, self.root, head, theirs, agent)
        files, note = list(merge.conflicts), None
        if files and self.resolver is not None:
            # The resolver checks its answers with the user's own linter settings, on text:
            # the repository's root, not the worktree holding the agents' configuration.
            files, note = await self._resolve(files, merged, candidate, self.root)
        resolved = tuple(f.path for f in files if f.conflicts and not f.unresolved)
        left = tuple(f.path for f in files if f.unresolved)
        message = f"Integrate {agent} into the fan-out result\n\nOrchard-Agent: {agent}\n"
        commit = await self.workers.run(
            commit_merge, self.root, self.common, merge, files, [head, theirs], message
        )
        await self.workers.run(move_integration, worktree.path, self.common, commit)
        status = (
            StepStatus.CONFLICTS if left else StepStatus.RESOLVED if resolved else StepStatus.MERGED
        )
        if left and note is None:
            note = "no resolver configured" if self.resolver is None else "resolver left markers"
        return MergeStep(agent, status, theirs, commit, left, resolved, note=note), commit

    async def _resolve(
        self,
        files: list[FilePlan],
        merged: Sequence[Candidate],
        candidate: Candidate,
        root: Path,
    ) -> tuple[list[FilePlan], str | None]:
        assert self.resolver is not None
        ours = "\n".join(f"- {c.agent_id}: {c.request}" for c in merged)
        ours = f"Changes already integrated, from these subtasks:\n{ours}"
        settled, note = [], None
        for plan in files:
            if plan.binary or plan.result is None or not plan.conflicts or plan.conflicts[0].note:
                settled.append(plan)  # deletions and binaries keep one side; nothing to ask
                continue
            try:
                settled.append(await self.resolver(plan, ours, candidate.request, root))
            except OrchardError as exc:  # a failed resolver leaves the markers, said so
                log.warning("resolver failed on %s: %s", plan.path, exc)
                settled.append(plan)
                note = f"resolver failed: {exc}"
        return settled, note

    async def _check(self, worktree: Worktree, head: str) -> _Checked:
        changed = await self.workers.run(changed_paths, self.root, self.snapshot.commit, head)
        errors = await self._lint(worktree, changed)
        tests = await self._tests(worktree) if self.settings.agents.test_command else "not run"
        return _Checked(errors, tests)

    async def _lint(self, worktree: Worktree, changed: Sequence[str]) -> int:
        present = [p for p in changed if (worktree.path / p).is_file()]
        if not present:
            return 0
        before = await self.workers.run(_snapshot_texts, self.root, self.snapshot.commit, present)
        pipeline = await self.workers.run(
            agent_lint_pipeline, self.settings.lint, worktree, self.sandbox, set(present)
        )
        checked = await lint_changes(pipeline, worktree.path, before, present)
        return len(checked.errors)

    async def _tests(self, worktree: Worktree) -> str:
        command = self.settings.agents.test_command
        assert command is not None
        outcome = await run_test_command(command, worktree.path, self.test_timeout, self.sandbox)
        return "passed" if outcome.passed else "timed out" if outcome.timed_out else "failed"


def _snapshot_texts(root: Path, snapshot: str, paths: Sequence[str]) -> dict[str, str | None]:
    texts: dict[str, str | None] = {}
    for path in paths:
        data = file_at(root, snapshot, path)
        texts[path] = None if data is None else data.decode("utf-8", "replace")
    return texts


def _judged(step: MergeStep, before: _Checked, after: _Checked) -> MergeStep:
    """Fill in the checks after `step`'s merge, naming lint or tests when it broke them."""
    broke = []
    if after.lint_errors > before.lint_errors:
        broke.append("lint")
    if before.tests == "passed" and after.tests != "passed":
        broke.append("tests")
    return MergeStep(
        step.agent_id,
        step.status,
        step.agent_commit,
        step.commit,
        step.conflicts,
        step.resolved,
        after.lint_errors,
        after.tests,
        tuple(broke),
        step.note,
    )


def candidates(journal: Journal, task_id: str) -> list[Candidate]:
    """Return the task's agents in launch order with their commits and requests (blocking)."""
    found = []
    for run in journal.runs(task_id):
        if run.agent_id == INTEGRATION_AGENT:
            continue
        plans = [e for e in journal.events(run.id) if e.kind == "plan"]
        data = plans[-1].data if plans else {}
        request = str(data.get("title") or "") + (": " if data.get("title") else "")
        request += str(data.get("request") or "")
        commit = run.commit if run.state is RunState.COMMITTED else None
        found.append(Candidate(run.agent_id, commit, request.strip()))
    return found


def record_integration(journal: Journal, integration: Integration, worktree: Path) -> AgentRun:
    """Journal the result as the committed run of agent `integration` (its event holds steps)."""
    run_id = run_id_for(integration.task_id, INTEGRATION_AGENT)
    if journal.run(run_id) is None:
        journal.add_run(
            integration.task_id, INTEGRATION_AGENT, INTEGRATION_AGENT, integration.branch, worktree
        )
    run = journal.set_run_state(run_id, RunState.COMMITTED, commit=integration.commit)
    journal.record_event(run_id, INTEGRATION_EVENT, integration.to_json())
    return run
