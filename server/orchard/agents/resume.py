"""What a resumed run starts from: the task's snapshot, the runs that may resume, and what an
interrupted agent left in its worktree (commits and uncommitted files, both kept).
Blocking git work; callers run it off the event loop. No models, no event bus.
"""

from __future__ import annotations

from pathlib import Path

from orchard.agents.task import AgentRun, RunState, Task
from orchard.errors import GitError, OrchardError
from orchard.memory.journal import Journal
from orchard.vcs.git import git_text, run_git
from orchard.vcs.repository import repository_root
from orchard.vcs.snapshot import Snapshot, snapshot_ref
from orchard.vcs.worktree import Worktree, diff_worktree


def resumable_runs(journal: Journal, task: Task) -> list[AgentRun]:
    """Return the task's interrupted runs; raise OrchardError saying why there are none."""
    if task.state.is_active:
        raise OrchardError(
            f"task {task.id} is still running in another Orchard process; it cannot be resumed"
            " from here"
        )
    runs = journal.runs(task.id)
    waiting = [r for r in runs if r.state is RunState.INTERRUPTED]
    if not waiting:
        states = ", ".join(f"{r.agent_id} {r.state}" for r in runs) or "no runs"
        raise OrchardError(f"task {task.id} has nothing to resume ({task.state}: {states})")
    return waiting


def task_snapshot(repo_root: Path, task: Task) -> Snapshot:
    """Rebuild the task's snapshot from its ref; raise OrchardError when it is gone."""
    root = repository_root(repo_root)
    try:
        commit = git_text(root, "rev-parse", "--verify", "--quiet", snapshot_ref(task.id))
    except GitError:
        commit = ""
    if not commit or (task.snapshot and commit != task.snapshot):
        raise OrchardError(
            f"task {task.id} cannot be resumed: its snapshot is gone (discarded or cleaned up)"
        )
    head = git_text(root, "rev-parse", f"{commit}^")
    return Snapshot(task.id, root, commit, snapshot_ref(task.id), head, None, ())


def leftovers(worktree: Worktree) -> dict[str, str | None]:
    """Map each path the agent changed against the snapshot (committed or not) to its text there.

    The texts are the lint baseline: a resumed run is judged on what it changed since the
    snapshot, not since the crash. None stands for a file the snapshot does not hold.
    """
    changed = diff_worktree(worktree, include_uncommitted=True).paths
    originals: dict[str, str | None] = {}
    for path in changed:
        try:
            blob = run_git(worktree.path, "show", f"{worktree.base}:{path}")
        except GitError:
            originals[path] = None
            continue
        originals[path] = blob.decode("utf-8", "replace")
    return originals


def earlier_commit(worktree: Worktree) -> str | None:
    """Return the branch head when the agent committed before it was interrupted, else None."""
    head = git_text(worktree.path, "rev-parse", "HEAD")
    return head if head != worktree.base else None
