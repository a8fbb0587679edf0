"""Tasks as JSON-ready values, the one shape both front doors show (`orchard tasks --json`, the
language server's task commands). Reads what the journal and the worktrees hold; writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orchard.agents.task import AgentRun, RunEvent, Task

# The events a view reads: spending, edits, checks, the end of a run, its review, the judge.
VIEW_EVENTS = ("usage", "edits", "lint", "tests", "outcome", "review", "judge")


def task_view(task: Task, runs: list[AgentRun], events: Sequence[RunEvent] = ()) -> dict[str, Any]:
    """Return a task and its runs (their figures from `events`, see VIEW_EVENTS) as JSON."""
    by_run: dict[str, list[RunEvent]] = {}
    for event in events:
        by_run.setdefault(event.run_id, []).append(event)
    judged = [e for e in events if e.kind == "judge"]
    return {
        "id": task.id,
        "state": str(task.state),
        "mode": str(task.spec.mode),
        "request": task.spec.request,
        "snapshot": task.snapshot,
        "error": task.error,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "spec": task.spec.to_json(),
        "runs": [run_view(run, by_run.get(run.id, ())) for run in runs],
        "recommendation": dict(judged[-1].data) if judged else None,
    }


def run_view(run: AgentRun, events: Sequence[RunEvent] = ()) -> dict[str, Any]:
    """Return one agent run, with its figures from its journaled events, as JSON."""
    return {
        "agent": run.agent_id,
        "model": run.model,
        "state": str(run.state),
        "branch": run.branch,
        "worktree": run.worktree,
        "worktree_exists": Path(run.worktree).exists(),
        "commit": run.commit,
        "error": run.error,
        **run_figures(events),
    }


def run_figures(events: Sequence[RunEvent]) -> dict[str, Any]:
    """Return a run's tokens, cost, files, lint errors, tests and findings from its events.

    The `outcome` event a run journals when it ends is authoritative; before it, the figures
    grow from the edits, lint and test events as they come.
    """
    tokens, cost = 0, 0.0
    files: dict[str, None] = {}
    lint_errors: int | None = None
    tests = "not run"
    findings: list[Any] = []
    ended: dict[str, Any] | None = None
    for event in events:
        data = event.data
        if event.kind == "usage":
            tokens += int(data.get("prompt_tokens", 0)) + int(data.get("completion_tokens", 0))
            cost += float(data.get("cost_usd", 0.0))
        elif event.kind == "edits":
            files.update(dict.fromkeys(data.get("written") or ()))
        elif event.kind == "lint":
            lint_errors = int(data.get("errors", 0))
        elif event.kind == "tests":
            tests = "passed" if data.get("exit_code") == 0 else "failed"
        elif event.kind == "outcome":
            ended = dict(data)
        elif event.kind == "review":
            findings = list(data.get("findings") or ())
    if ended is not None:
        files = dict.fromkeys(ended.get("files") or ())
        lint_errors, tests = ended.get("lint_errors"), str(ended.get("tests", tests))
    return {
        "tokens": tokens,
        "cost_usd": round(cost, 6),
        "files": list(files),
        "lint_errors": lint_errors,
        "tests": tests,
        "findings": findings,
    }


def event_view(event: RunEvent) -> dict[str, Any]:
    """Return one journaled event as a JSON-ready mapping."""
    return {"seq": event.seq, "kind": event.kind, "data": dict(event.data), "at": event.at}
