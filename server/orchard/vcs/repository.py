"""Where a repository keeps things: its top folder, its common git dir, Orchard's state folder.

Asks git itself (`git rev-parse`), so worktrees and `GIT_DIR` layouts resolve the way git does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from orchard.errors import WorkspaceError


def _rev_parse(path: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "rev-parse", *args],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise WorkspaceError(f"{path} is not inside a git repository: {done.stderr.strip()}")
    return done.stdout.strip()


def repository_root(path: Path) -> Path:
    """Return the top folder of the work tree that holds `path`."""
    return Path(_rev_parse(path, "--show-toplevel")).resolve()


def git_common_dir(path: Path) -> Path:
    """Return the git dir shared by a repository and all its worktrees."""
    return Path(_rev_parse(path, "--path-format=absolute", "--git-common-dir")).resolve()


def state_dir(path: Path) -> Path:
    """Return `<git common dir>/orchard`, where Orchard keeps its state, creating it."""
    folder = git_common_dir(path) / "orchard"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def state_db_path(path: Path) -> Path:
    """Return the path of the state database for the repository holding `path`."""
    return state_dir(path) / "state.db"
