"""The service's review half: `orchard review` of the working tree or a branch (reviewer model,
past findings from memory) and the journaled findings of a task's agents. Must not import a
front door; git and SQLite run on worker threads.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from orchard.agents.reviewing import REVIEW_EVENT, journaled_findings, latest_events
from orchard.errors import SettingsError, TaskNotFound
from orchard.review.findings import Finding
from orchard.review.report import ReviewReport
from orchard.review.reviewer import review_change, reviewer_model
from orchard.vcs.review_diff import ReviewDiff, branch_review_diff, working_tree_review_diff

if TYPE_CHECKING:
    from orchard.memory.journal import Journal
    from orchard.service.core import OrchardService


async def review_changes(
    service: OrchardService, base: str = "HEAD", branch: str | None = None
) -> ReviewReport:
    """Review the working tree against `base`, or `branch` against its merge base with HEAD."""
    model = reviewer_model(service.settings)
    if branch is not None and base != "HEAD":
        raise SettingsError("review either the working tree against --base or a --branch")
    orchestrator = service.orchestrator  # WorkspaceError outside a git repository
    diff: ReviewDiff = await asyncio.to_thread(
        branch_review_diff if branch is not None else working_tree_review_diff,
        service.root,
        branch if branch is not None else base,
    )
    past: list[str] = []
    memory = service._memory
    if memory is not None and diff.files:
        past = await asyncio.to_thread(memory.past_findings, diff.files)
    findings = await review_change(
        diff, settings=service.settings, client=orchestrator.client, past_findings=past
    )
    return ReviewReport(
        base=diff.base,
        base_ref=base if branch is None else f"merge base with {branch}",
        result=diff.result,
        files=diff.files,
        findings=tuple(findings),
        model=model,
        branch=branch,
    )


async def task_findings(journal: Journal, task_id: str) -> dict[str, list[Finding]]:
    """Return each reviewed agent's findings, from the journal's latest `review` events."""

    def read() -> dict[str, list[Finding]]:
        if journal.task(task_id) is None:
            raise TaskNotFound(f"no task {task_id}")
        runs = {run.id: run.agent_id for run in journal.runs(task_id)}
        latest = latest_events(journal.task_events(task_id, (REVIEW_EVENT,)))
        return {
            runs[run_id]: list(journaled_findings(data))
            for (run_id, _kind), data in latest.items()
            if run_id in runs
        }

    return await asyncio.to_thread(read)
