"""Reviewing and judging a task's runs: once an agent commits, the reviewer reads its diff against
the snapshot (while the other agents work; a reviewer error is a note, never the run's failure),
and when every agent has ended the judge recommends one (best-of-N). Both are journaled (`review`
and `judge` events) and published (`RunReviewed`, `TaskJudged`). Must not import lsp or cli.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchard.agents.environment import LoopEnvironment
from orchard.agents.events import RunNote, RunReviewed, TaskJudged
from orchard.agents.outcome import RunOutcome
from orchard.agents.task import AgentRun, RunEvent, RunState, TaskMode, run_id_for
from orchard.errors import OrchardError
from orchard.models.usage import Usage
from orchard.review.findings import Finding
from orchard.review.judge import Candidate, Recommendation, judge
from orchard.review.reviewer import describe_finding, review_change
from orchard.vcs.review_diff import ReviewDiff, changed_line_count, commit_review_diff

if TYPE_CHECKING:
    from orchard.agents.run import AgentLoop

log = logging.getLogger(__name__)

REVIEW_EVENT, JUDGE_EVENT, OUTCOME_EVENT = "review", "judge", "outcome"


class TaskReview:
    """Reviews each committed run of one task and judges the task at its end."""

    def __init__(self, env: LoopEnvironment, mode: TaskMode, request: str) -> None:
        self.env = env
        self.mode = mode
        self.request = request
        self.findings: dict[str, tuple[Finding, ...]] = {}

    @property
    def task_id(self) -> str:
        return self.env.snapshot.task_id

    async def run_agent(self, loop: AgentLoop, gate: asyncio.Semaphore) -> RunOutcome:
        """Run one agent; once it commits, review it while the others still work."""
        outcome = await loop.run(gate)
        if outcome.state is RunState.COMMITTED:
            await self.review_run(loop)
        return outcome

    async def review_run(self, loop: AgentLoop) -> None:
        """Review a committed run when `reviewer_model` is set; journal and publish findings."""
        env = self.env
        if not env.settings.reviewer_model or loop.commit is None:
            return
        run_id = run_id_for(self.task_id, loop.agent_id)
        try:
            diff = await env.workers.run(
                commit_review_diff, env.snapshot.root, env.snapshot.commit, loop.commit
            )
            past = await asyncio.to_thread(self._past_findings, diff.files)
            findings = await review_change(
                diff,
                settings=env.settings,
                client=env.client,
                request=loop.assignment.request,
                past_findings=past,
                on_usage=self._charge,
            )
        except Exception as exc:  # a reviewer's failure is a note; the run stays committed
            if not isinstance(exc, OrchardError | OSError):
                log.exception("reviewing %s crashed", run_id)
            await self._note(loop.agent_id, f"the review failed: {exc}")
            return
        self.findings[loop.agent_id] = tuple(findings)
        await env.workers.record(
            env.journal.record_event, run_id, REVIEW_EVENT, review_data(diff, findings, env)
        )
        env.bus.publish(RunReviewed(self.task_id, loop.agent_id, tuple(findings)))

    def _past_findings(self, files: Sequence[str]) -> list[str]:
        source = self.env.past_findings
        return list(source(files)) if source is not None else []

    def _charge(self, usage: Usage) -> None:
        if self.env.budget.charge(usage):
            self.env.on_budget_exhausted()

    async def _note(self, agent_id: str, message: str) -> None:
        self.env.bus.publish(RunNote(self.task_id, agent_id, "review-failed", message))
        run_id = run_id_for(self.task_id, agent_id)
        data = {"message": message}
        await self.env.workers.record(self.env.journal.record_event, run_id, "review-failed", data)

    async def judge(self) -> Recommendation | None:
        """Recommend one committed agent of a best-of-N task; journal and publish it."""
        if self.mode is not TaskMode.BEST_OF_N:
            return None
        env = self.env
        try:
            runs, events = await env.workers.record(self._read_journal)
            candidates = await self._candidates(runs, events)
            recommendation = await judge(
                candidates,
                settings=env.settings,
                client=env.client,
                request=self.request,
                on_usage=self._charge,
            )
        except Exception as exc:  # the task's result stands without a recommendation
            if not isinstance(exc, OrchardError | OSError):
                log.exception("judging task %s crashed", self.task_id)
            log.warning("no recommendation for task %s: %s", self.task_id, exc)
            return None
        chosen = recommendation.agent_id or (runs[0].agent_id if runs else None)
        if chosen is not None:
            run_id = run_id_for(self.task_id, chosen)
            data = recommendation.to_json()
            await env.workers.record(env.journal.record_event, run_id, JUDGE_EVENT, data)
        scores = tuple(recommendation.scores.items())
        env.bus.publish(
            TaskJudged(self.task_id, recommendation.agent_id, recommendation.reasons, scores)
        )
        return recommendation

    def _read_journal(self) -> tuple[list[AgentRun], list[RunEvent]]:
        journal = self.env.journal
        runs = journal.runs(self.task_id)
        return runs, journal.task_events(self.task_id, (OUTCOME_EVENT, REVIEW_EVENT))

    async def _candidates(
        self, runs: Sequence[AgentRun], events: Sequence[RunEvent]
    ) -> list[Candidate]:
        latest = latest_events(events)
        candidates = []
        for run in runs:
            if run.state is not RunState.COMMITTED or run.commit is None:
                continue
            root, base = self.env.snapshot.root, self.env.snapshot.commit
            diff = ""
            if self.env.settings.judge_model:  # only the judge model reads whole diffs
                diff = (await self.env.workers.run(commit_review_diff, root, base, run.commit)).diff
            outcome = latest.get((run.id, OUTCOME_EVENT), {})
            review = latest.get((run.id, REVIEW_EVENT))
            known = (review or {}).get("changed_lines")
            changed = (
                known
                if isinstance(known, int)
                else await self.env.workers.run(changed_line_count, root, base, run.commit)
            )
            candidates.append(candidate_from(run.agent_id, outcome, review, changed, diff))
        return candidates


def review_json(
    recommendation: Recommendation | None, findings: Mapping[str, Sequence[Finding]]
) -> dict[str, Any]:
    """Return a task result's review part: the recommendation and each agent's findings."""
    return {
        "recommendation": recommendation.to_json() if recommendation else None,
        "findings": {agent: [f.to_json() for f in found] for agent, found in findings.items()},
    }


def review_data(
    diff: ReviewDiff, findings: Sequence[Finding], env: LoopEnvironment
) -> dict[str, Any]:
    """Return the journaled data of a `review` event."""
    return {
        "model": env.settings.reviewer_model,
        "findings": [f.to_json() for f in findings],
        "files": list(diff.files),
        "changed_lines": diff.changed_lines,
    }


def latest_events(events: Sequence[RunEvent]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Map (run id, kind) to the data of that run's last event of the kind."""
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for event in events:
        latest[(event.run_id, event.kind)] = event.data
    return latest


def journaled_findings(data: Mapping[str, Any] | None) -> tuple[Finding, ...]:
    """Return the findings of a journaled `review` event (entries that do not parse are skipped)."""
    found = []
    for entry in (data or {}).get("findings") or ():
        try:
            found.append(Finding.from_json(entry))
        except (KeyError, ValueError, TypeError):
            log.warning("skipped a journaled finding that does not parse: %r", entry)
    return tuple(found)


def candidate_from(
    agent_id: str,
    outcome: Mapping[str, Any],
    review: Mapping[str, Any] | None,
    changed_lines: int,
    diff: str = "",
) -> Candidate:
    """Build the judge's view of one run from its journaled outcome and review."""
    lint = outcome.get("lint_errors")
    return Candidate(
        agent_id=agent_id,
        tests=str(outcome.get("tests", "not run")),
        lint_errors=int(lint) if lint is not None else None,
        findings=journaled_findings(review),
        changed_lines=changed_lines,
        applied_edits=int(outcome.get("applied_edits", 0)),
        failed_edits=int(outcome.get("failed_edits", 0)),
        large_deletions=len(outcome.get("large_deletions") or ()),
        reviewed=review is not None,
        diff=diff,
    )


def describe_findings(findings: Sequence[Finding]) -> list[str]:
    """Say each finding in one line (memory keeps them like this)."""
    return [describe_finding(f) for f in findings]
