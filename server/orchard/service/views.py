"""Tasks as JSON-ready values, the one shape both front doors show (`orchard tasks --json`, the
language server's task commands). Reads what the journal and the worktrees hold; writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchard.agents.integration import Integration
from orchard.agents.task import AgentRun, RunEvent, Task


def task_view(
    task: Task, runs: list[AgentRun], integration: Integration | None = None
) -> dict[str, Any]:
    """Return a task and its runs (and a fan-out's integration result) as a JSON-ready mapping."""
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
        "runs": [run_view(run) for run in runs],
        "integration": integration.to_json() if integration is not None else None,
    }


def run_view(run: AgentRun) -> dict[str, Any]:
    """Return one agent run as a JSON-ready mapping."""
    return {
        "agent": run.agent_id,
        "model": run.model,
        "state": str(run.state),
        "branch": run.branch,
        "worktree": run.worktree,
        "worktree_exists": Path(run.worktree).exists(),
        "commit": run.commit,
        "error": run.error,
    }


def event_view(event: RunEvent) -> dict[str, Any]:
    """Return one journaled event as a JSON-ready mapping."""
    return {"seq": event.seq, "kind": event.kind, "data": dict(event.data), "at": event.at}
