"""Names Orchard gives to git things: task and agent ids, agent branches, refs, worktree folders.

Pure functions; they check ids so that every name is a valid ref component and folder name.
"""

from __future__ import annotations

import re
from pathlib import Path

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
BRANCH_PREFIX = "orchard"
REF_PREFIX = "refs/orchard"
INTEGRATION_AGENT = "integration"  # the agent id a fan-out task's integration result goes by


def check_id(value: str, what: str = "id") -> str:
    """Return `value` if it can name a branch component and a folder; raise ValueError if not."""
    if not _ID.fullmatch(value) or ".." in value or value.endswith((".lock", ".")):
        raise ValueError(
            f"{what} {value!r} must be 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def branch_name(task_id: str, agent_id: str) -> str:
    """Return the branch an agent works on: `orchard/<task>/<agent>`."""
    return f"{BRANCH_PREFIX}/{check_id(task_id, 'task id')}/{check_id(agent_id, 'agent id')}"


def worktrees_dir(git_common_dir: Path) -> Path:
    """Return the folder that holds every agent worktree of a repository."""
    return git_common_dir / "orchard" / "worktrees"


def worktree_path(git_common_dir: Path, task_id: str, agent_id: str) -> Path:
    """Return where an agent's worktree lives: `<common dir>/orchard/worktrees/<task>/<agent>`."""
    task = check_id(task_id, "task id")
    return worktrees_dir(git_common_dir) / task / check_id(agent_id, "agent id")
