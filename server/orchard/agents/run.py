"""The agent loop: one agent's run as a state machine, queued → preparing → editing → linting →
testing → committed | failed | cancelled, in its own worktree. Every transition and streaming
progress is published on the bus and journaled. It must not import lsp, nor touch the user's tree.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from orchard.agents.budget import BUDGET_EXHAUSTED
from orchard.agents.checks import (
    TestOutcome,
    agent_lint_pipeline,
    lint_changes,
    lint_feedback,
    run_test_command,
)
from orchard.agents.environment import Assignment, LoopEnvironment
from orchard.agents.events import RunNote, RunProgress, RunStateChanged, RunUsage
from orchard.agents.history import AgentHistory, clip_for_history
from orchard.agents.outcome import RunOutcome, journaled_outcome
from orchard.agents.processes import JournalGroups
from orchard.agents.resume import earlier_commit, leftovers
from orchard.agents.sources import read_files, read_snapshot_files
from orchard.agents.task import RunState
from orchard.context.chunks import PromptBudget, build_prompt
from orchard.context.sections import FileText, MapRenderer, Message, PromptParts
from orchard.edits import (
    ApplyResult,
    apply_edits,
    parse_edits,
    printable,
    prompt_for,
    resolve_target,
)
from orchard.errors import OrchardError
from orchard.lint.files import read_text
from orchard.models.usage import Usage
from orchard.sandbox.bwrap import Sandbox, choose_sandbox
from orchard.vcs.provision import WorktreeSetup
from orchard.vcs.snapshot import Snapshot
from orchard.vcs.worktree import Worktree, commit_worktree, create_worktree

log = logging.getLogger(__name__)

PROGRESS_JOURNAL_SECONDS = 0.5
NO_EDITS = (
    "I found no edits in your reply. Make the change by replying with edits in the format "
    "described above."
)


class _Stop(Exception):
    """Ends a run early with a final state and a reason."""

    def __init__(self, state: RunState, reason: str) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason


def _prompt_text(name: str) -> str:
    return resources.files("orchard.agents").joinpath(f"prompts/{name}.md").read_text("utf-8")


class AgentLoop:
    """Runs one agent from queued to an end state; `stop(reason)` ends it as failed."""

    def __init__(
        self,
        env: LoopEnvironment,
        assignment: Assignment,
        run_id: str,
        branch: str,
        worktree_path: Path,
        *,
        resumed: bool = False,
    ) -> None:
        self.env = env
        self.resumed = resumed  # continue an interrupted run from what its worktree holds
        self.assignment = assignment
        self.run_id = run_id
        self.branch = branch
        self.worktree_path = worktree_path
        self.task_id = env.snapshot.task_id
        self.state = RunState.QUEUED
        self.stop_reason: str | None = None
        self.worktree: Worktree | None = None
        self.start: str | None = None  # the commit to start from, when not the snapshot (fan-out)
        self.commit: str | None = None
        self.error: str | None = None
        self.files: dict[str, None] = {}
        self.lint_errors: int | None = None
        self.tests = "not run"
        self.large_deletions: dict[str, str] = {}  # path → what the edits removed
        self.notes: list[str] = []
        self.applied_edits = 0
        self.failed_edits = 0
        self.sandbox: Sandbox | None = None
        self.tokens = 0
        self.cost_usd = 0.0
        self._started = time.monotonic()
        self._ended: float | None = None
        self._round = 0
        self._last_progress = 0.0
        self._background: set[asyncio.Task[Any]] = set()
        self._history = AgentHistory(
            env.client,
            assignment.model,
            env.settings.weak_model,
            self._on_usage,
            env.client.token_counter,
        )

    @property
    def agent_id(self) -> str:
        return self.assignment.agent_id

    @property
    def origin(self) -> Snapshot:
        """What the agent starts from: the task's snapshot, or another agent's result commit."""
        if self.start is None:
            return self.env.snapshot
        return dataclasses.replace(self.env.snapshot, commit=self.start)

    # -- the state machine

    async def run(self, gate: asyncio.Semaphore) -> RunOutcome:
        """Wait for a slot under `gate`, do the work, and return the outcome (never raises)."""
        try:
            async with gate:
                self._started = time.monotonic()
                if self.env.budget.exhausted:
                    raise _Stop(RunState.FAILED, BUDGET_EXHAUSTED)
                await self._work()
        except asyncio.CancelledError:
            if self.stop_reason is not None:
                await self._end(RunState.FAILED, self.stop_reason)
            else:
                await self._end(RunState.CANCELLED, "cancelled")
        except _Stop as stop:
            await self._end(stop.state, stop.reason)
        except OrchardError as exc:
            await self._end(RunState.FAILED, str(exc))
        except Exception as exc:  # one agent's bug must never end the others
            log.exception("agent %s crashed", self.run_id)
            await self._end(RunState.FAILED, f"internal error: {type(exc).__name__}: {exc}")
        return self.outcome()

    async def settle(self) -> None:
        """End a run that was cancelled before it ever started (still queued) as cancelled."""
        if not self.state.is_final:
            await self._end(RunState.CANCELLED, self.stop_reason or "cancelled before it started")

    async def _work(self) -> None:
        await self._move(RunState.PREPARING)
        agents = self.env.settings.agents
        paths, source = [self.worktree_path], [self.env.snapshot.root]
        choice = await asyncio.to_thread(
            choose_sandbox, agents.sandbox, paths, agents.sandbox_network, source
        )
        self.sandbox = choice.sandbox
        await self._note("sandbox", choice.note)
        setup = WorktreeSetup.from_settings(agents, self.sandbox, self._groups())
        # The first model call needs only the snapshot's files, so the worktree (git work
        # serialized across agents) is built while the model thinks; edits wait for it.
        building = asyncio.ensure_future(
            self.env.workers.run(
                _create_worktree, self.origin, self.env.snapshot.commit, self.agent_id, setup
            )
        )
        try:
            renderer = None
            if self.env.repo_map is not None:
                renderer = await self.env.repo_map(self.worktree_path, self.assignment)
            hits = (
                tuple(await self.env.memory_hits(self.assignment.request, self.assignment.editable))
                if self.env.memory_hits
                else ()
            )
            originals = await self._pick_up(await building) if self.resumed else {}
            await self._edit_until_done(building, renderer, hits, originals)
        finally:
            building.add_done_callback(_forget)
        worktree = building.result()
        summary = self.assignment.title or self.assignment.request.strip().splitlines()[0][:72]
        commit = await self.env.workers.run(
            commit_worktree, worktree, summary, self.assignment.model
        )
        if commit is None and self.resumed:
            commit = await self.env.workers.run(earlier_commit, worktree)
        if commit is None:
            raise _Stop(RunState.FAILED, "the model made no changes")
        self.commit = commit
        await self._end(RunState.COMMITTED, None)

    async def _pick_up(self, worktree: Worktree) -> dict[str, str | None]:
        """Take over what an interrupted run left: its changed files stay and count as its own."""
        originals = await self.env.workers.run(leftovers, worktree)
        self.files.update(dict.fromkeys(originals))
        if originals:
            await self._note(
                "picked-up",
                f"continuing from {len(originals)} files changed before the interruption",
                {"files": list(originals)},
            )
        return originals

    async def _edit_until_done(
        self,
        building: asyncio.Future[Worktree],
        renderer: MapRenderer | None,
        hits: tuple[str, ...],
        originals: dict[str, str | None],
    ) -> None:
        limit = self.env.settings.agents.max_reflections
        test_command = self.env.settings.agents.test_command
        history: list[Message] = []
        message = self.assignment.request
        edit_rounds = test_rounds = 0
        while True:
            await self._move(RunState.EDITING)
            reply = await self._ask(building, message, history, renderer, hits)
            worktree = self.worktree = await building
            history += [  # clipped: a huge reply must not be re-processed on every round
                {"role": "user", "content": clip_for_history(message)},
                {"role": "assistant", "content": clip_for_history(printable(reply))},
            ]
            result = await self._apply(worktree, reply, originals)
            feedback = result.feedback(no_edits=NO_EDITS)
            if feedback and edit_rounds < limit:
                edit_rounds += 1
                message = feedback
                continue
            if not self.files:
                raise _Stop(RunState.FAILED, "the model made no changes")
            await self._move(RunState.LINTING)
            feedback = await self._lint(worktree, originals)
            if feedback and edit_rounds < limit:
                edit_rounds += 1
                message = feedback
                continue
            if not test_command:
                return
            await self._move(RunState.TESTING)
            outcome = await run_test_command(
                test_command, worktree.path, self.env.test_timeout, self.sandbox, self._groups()
            )
            self.tests = (
                "passed" if outcome.passed else "timed out" if outcome.timed_out else "failed"
            )
            await self._note("tests", self._test_summary(outcome), {"exit_code": outcome.exit_code})
            if outcome.passed or test_rounds >= limit:
                return
            test_rounds += 1
            message = outcome.feedback(test_command)

    # -- steps

    async def _ask(
        self,
        building: asyncio.Future[Worktree],
        message: str,
        history: list[Message],
        renderer: MapRenderer | None,
        hits: tuple[str, ...],
    ) -> str:
        if self.env.budget.exhausted:
            raise _Stop(RunState.FAILED, BUDGET_EXHAUSTED)
        self._round += 1
        client, model = self.env.client, self.assignment.model
        fmt = self.env.settings.model(model).edit_format
        editable = [
            *self.assignment.editable,
            *(p for p in self.files if p not in self.assignment.editable),
        ]
        info = client.model_info(model)
        budget = PromptBudget.for_window(
            info.context_window, info.max_output_tokens, self.env.settings.repomap.map_tokens
        )
        shortened = await self._history.fit(history, budget.history)
        if shortened:
            await self._note("history", shortened, {"messages": len(history)})
        parts = PromptParts(
            system=_prompt_text("agent") + "\n\n" + prompt_for(fmt),
            request=message,
            readonly_files=await self._read(building, self.assignment.read_only),
            repo_map=renderer,
            memory_hits=hits,
            history=tuple(history),
            editable_files=await self._read(building, editable),
            reminder=_prompt_text("reminder").strip(),
        )
        counter = client.token_counter(model)
        prompt = await self.env.workers.run(
            build_prompt, parts, budget, counter, info.wants_cache_marks
        )
        if prompt.shrunk:
            await self._note("prompt", prompt.report())
        completion = await client.complete(
            model,
            prompt.messages,
            on_progress=self._on_progress,
            on_usage=self._on_usage,
            prompt_tokens=prompt.tokens,
        )
        await self._journal("reply", {"round": self._round, "chars": len(completion.text)})
        return completion.text

    async def _read(
        self, building: asyncio.Future[Worktree], paths: Sequence[str]
    ) -> tuple[FileText, ...]:
        """Read files from the worktree, or from the snapshot while the worktree is being built."""
        if building.done():
            return read_files(building.result().path, paths)
        return await self.env.workers.run(read_snapshot_files, self.origin, paths)

    async def _apply(
        self, worktree: Worktree, reply: str, originals: dict[str, str | None]
    ) -> ApplyResult:
        fmt = self.env.settings.model(self.assignment.model).edit_format
        edits = parse_edits(reply, fmt)
        for edit in edits:
            try:
                target = resolve_target(worktree.path, edit.path)
            except OrchardError:
                continue  # apply_edits reports the unsafe path as a failed edit
            name = target.relative_to(worktree.path.resolve()).as_posix()
            if name not in originals:
                originals[name] = read_text(target) if target.exists() else None
        threshold = self.env.settings.edits.fuzzy_threshold
        result = await self.env.workers.run(
            apply_edits, edits, worktree.path, fuzzy_threshold=threshold
        )
        self.files.update(dict.fromkeys(result.written))
        self.applied_edits += len(result.applied)
        self.failed_edits += len(result.failed)
        self.large_deletions.update((d.path, d.describe()) for d in result.large_deletions)
        data = {
            "applied": len(result.applied),
            "failed": len(result.failed),
            "written": list(result.written),
            "large_deletions": [d.to_json() for d in result.large_deletions],
        }
        await self._journal("edits", data)
        if result.failed:
            await self._note("apply-failed", result.feedback(), data)
        return result

    async def _lint(self, worktree: Worktree, originals: dict[str, str | None]) -> str:
        pipeline = await self.env.workers.run(
            agent_lint_pipeline, self.env.settings.lint, worktree, self.sandbox, set(self.files)
        )
        checked = await lint_changes(pipeline, worktree.path, originals, list(self.files))
        for refused in checked.refused:
            if refused not in self.notes:
                self.notes.append(refused)
                await self._note("lint-refused", refused)
        errors = checked.errors
        self.lint_errors = len(errors)
        if not errors:
            return ""
        feedback = lint_feedback(errors, worktree.path)
        await self._note("lint", feedback, {"errors": len(errors)})
        return feedback

    @staticmethod
    def _test_summary(outcome: TestOutcome) -> str:
        if outcome.passed:
            return f"tests passed in {outcome.seconds:.1f} s"
        return (
            "tests timed out" if outcome.timed_out else f"tests failed (exit {outcome.exit_code})"
        )

    # -- events and the journal

    def _on_progress(self, tokens: int, _piece: str) -> None:
        self.env.bus.publish(RunProgress(self.task_id, self.agent_id, self._round, tokens))
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_JOURNAL_SECONDS:
            self._last_progress = now
            self._journal_soon("progress", {"round": self._round, "tokens": tokens})

    def _on_usage(self, usage: Usage) -> None:
        self.tokens += usage.total_tokens
        self.cost_usd += usage.cost_usd
        data = {
            "model": usage.model,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "cost_usd": usage.cost_usd,
        }
        self._journal_soon("usage", data)
        self.env.bus.publish(
            RunUsage(
                self.task_id,
                self.agent_id,
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.cost_usd,
                self.tokens,
                self.cost_usd,
            )
        )
        if self.env.budget.charge(usage):
            self.env.on_budget_exhausted()

    def _groups(self) -> JournalGroups:
        return JournalGroups(self.env.journal, self.run_id)

    def _journal_soon(self, kind: str, data: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._journal(kind, data))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _journal(self, kind: str, data: dict[str, Any]) -> None:
        await self.env.workers.record(self.env.journal.record_event, self.run_id, kind, data)

    async def _note(self, kind: str, message: str, data: dict[str, Any] | None = None) -> None:
        self.env.bus.publish(RunNote(self.task_id, self.agent_id, kind, message, dict(data or {})))
        await self._journal(kind, {**(data or {}), "message": message})

    async def _move(self, state: RunState) -> None:
        if state is self.state:
            return
        self.state = state
        await self.env.workers.record(self.env.journal.set_run_state, self.run_id, state)
        self.env.bus.publish(RunStateChanged(self.task_id, self.agent_id, state))

    async def _end(self, state: RunState, reason: str | None) -> None:
        if self.state.is_final:
            return
        self.state = state
        self.error = reason
        self._ended = time.monotonic()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self._journal("outcome", journaled_outcome(self.outcome()))
        await self.env.workers.record(
            self.env.journal.set_run_state, self.run_id, state, commit=self.commit, error=reason
        )
        self.env.bus.publish(
            RunStateChanged(self.task_id, self.agent_id, state, reason, self.commit)
        )
        log.info("agent %s ended %s%s", self.run_id, state, f" ({reason})" if reason else "")

    def outcome(self) -> RunOutcome:
        """Return the run's outcome as it stands."""
        end = self._ended if self._ended is not None else time.monotonic()
        return RunOutcome(
            task_id=self.task_id,
            agent_id=self.agent_id,
            model=self.assignment.model,
            state=self.state,
            branch=self.branch,
            worktree=str(self.worktree_path),
            commit=self.commit,
            files=tuple(self.files),
            lint_errors=self.lint_errors,
            tests=self.tests,
            tokens=self.tokens,
            cost_usd=self.cost_usd,
            seconds=end - self._started,
            error=self.error,
            large_deletions=tuple(self.large_deletions.values()),
            notes=tuple(self.notes),
            applied_edits=self.applied_edits,
            failed_edits=self.failed_edits,
        )


def _create_worktree(
    origin: Snapshot, snapshot_commit: str, agent_id: str, setup: WorktreeSetup
) -> Worktree:
    """Create the worktree off `origin`; its diffs (and lint trust) stay against the snapshot."""
    return dataclasses.replace(create_worktree(origin, agent_id, setup), base=snapshot_commit)


def _forget(future: asyncio.Future[Worktree]) -> None:
    """Retrieve the outcome of a worktree build whose run ended first (no unretrieved warning)."""
    if not future.cancelled() and future.exception() is not None:
        log.info("worktree build of an ended run failed: %s", future.exception())
