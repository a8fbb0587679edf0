"""Agent worktrees: one per agent at `<git common dir>/orchard/worktrees/<task>/<agent>` on branch
`orchard/<task>/<agent>` off the task's snapshot; agent commits and diffs against the snapshot.
Admin and ref changes hold the repository lock; checkouts and setup run in parallel.
Cleanup lives in cleanup.py.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from orchard.errors import GitError
from orchard.vcs.git import (
    AGENT_IDENTITY,
    git_text,
    index_file,
    ref_exists,
    run_git,
    shared_refs_lock,
    split_nul,
    stage_work_tree,
    temporary_index,
    write_commit,
)
from orchard.vcs.names import branch_name, worktree_path, worktrees_dir
from orchard.vcs.provision import WorktreeSetup, provision_worktree
from orchard.vcs.repository import git_common_dir
from orchard.vcs.snapshot import Snapshot, snapshot_ref

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Worktree:
    """One agent's checkout: where it is, its branch, and the snapshot commit it started from."""

    path: Path
    branch: str
    base: str  # the snapshot commit ("" if the task's snapshot ref is gone)
    task_id: str
    agent_id: str
    git_common_dir: Path


@dataclass(frozen=True, slots=True)
class WorktreeDiff:
    """What an agent changed against the snapshot: unified diff text and the paths touched."""

    base: str
    head: str  # the commit or tree compared with the base
    text: str
    paths: tuple[str, ...]


def create_worktree(
    snapshot: Snapshot, agent_id: str, setup: WorktreeSetup | None = None
) -> Worktree:
    """Check out a worktree for `agent_id` off `snapshot` (reused if it exists) and set it up.

    A reused worktree whose setup never finished (a crash mid-setup) is set up again.
    """
    common = git_common_dir(snapshot.root)
    path = worktree_path(common, snapshot.task_id, agent_id)
    branch = branch_name(snapshot.task_id, agent_id)
    worktree = Worktree(path, branch, snapshot.commit, snapshot.task_id, agent_id, common)
    with shared_refs_lock(common):
        reused = _register(common, path, branch, snapshot.commit)
    if not reused:
        # The checkout itself touches only this worktree, so it runs outside the lock.
        run_git(path, "reset", "--hard", "--quiet")
    marker = _setup_marker(path)
    if setup is not None and not (reused and marker.exists()):
        env = {
            "ORCHARD_TASK_ID": snapshot.task_id,
            "ORCHARD_AGENT_ID": agent_id,
            "ORCHARD_WORKTREE": str(path),
            "ORCHARD_SOURCE_ROOT": str(snapshot.root),
        }
        if reused:
            log.info("setup of %s never finished; running it again", path)
        provision_worktree(snapshot.root, path, setup, env)
    marker.touch()
    log.info("worktree %s on %s off %s", path, branch, snapshot.commit[:12])
    return worktree


def _register(common: Path, path: Path, branch: str, commit: str) -> bool:
    """Add the worktree to git (holding the lock); return True when it already existed."""
    registered = registered_worktrees(common)
    if path in registered and not (path / ".git").exists():
        forget_missing_worktree(common, path)  # its folder was deleted by hand
    elif path in registered:
        if registered[path] != branch:
            raise GitError(f"{path} is a worktree of {registered[path]!r}, not {branch!r}")
        log.info("reusing worktree %s", path)
        return True
    if path.exists():
        shutil.rmtree(path)  # a leftover of a crash before git registered it
    path.parent.mkdir(parents=True, exist_ok=True)
    if ref_exists(common, f"refs/heads/{branch}"):
        run_git(common, "worktree", "add", "--quiet", "--no-checkout", str(path), branch)
    else:
        run_git(
            common, "worktree", "add", "--quiet", "--no-checkout", "-b", branch, str(path), commit
        )
    return False


def _setup_marker(path: Path) -> Path:
    """The file in the worktree's git admin folder that says its setup finished."""
    text = (path / ".git").read_text(encoding="utf-8").strip()
    admin = Path(text.removeprefix("gitdir:").strip())
    return (admin if admin.is_absolute() else path / admin) / "orchard-setup-done"


def list_task_worktrees(repo_root: Path, task_id: str | None = None) -> list[Worktree]:
    """List Orchard's agent worktrees registered in the repository (of one task, if given)."""
    common = git_common_dir(repo_root)
    home = worktrees_dir(common)
    bases = _snapshot_commits(common)
    found: list[Worktree] = []
    for path, branch in sorted(registered_worktrees(common).items()):
        try:
            task, agent = path.relative_to(home).parts
        except ValueError:
            continue  # the user's own worktree, or not one of ours
        if task_id is not None and task != task_id:
            continue
        found.append(Worktree(path, branch, bases.get(task, ""), task, agent, common))
    return found


def commit_message(worktree: Worktree, summary: str, model: str) -> str:
    """Return an agent commit message naming the task, the agent and the model."""
    text = summary.strip() or f"Orchard agent {worktree.agent_id} for task {worktree.task_id}"
    trailers = (
        f"Orchard-Task: {worktree.task_id}\n"
        f"Orchard-Agent: {worktree.agent_id}\n"
        f"Orchard-Model: {model}\n"
    )
    return f"{text}\n\n{trailers}"


def commit_worktree(worktree: Worktree, summary: str, model: str) -> str | None:
    """Commit everything the agent changed on its branch; return the sha, or None if no change.

    Plumbing (add, write-tree, commit-tree, update-ref) with a fixed author: no user hooks,
    no signing prompt, no commit template.
    """
    path = worktree.path
    stage_work_tree(path, index_file(path))
    tree = git_text(path, "write-tree")
    head = git_text(path, "rev-parse", "HEAD")
    if tree == git_text(path, "rev-parse", f"{head}^{{tree}}"):
        return None
    message = commit_message(worktree, summary, model)
    commit = write_commit(path, tree, [head], message, AGENT_IDENTITY)
    with shared_refs_lock(worktree.git_common_dir):
        ref = f"refs/heads/{worktree.branch}"
        run_git(path, "update-ref", "-m", "orchard: agent commit", ref, commit, head)
    log.info("agent %s committed %s on %s", worktree.agent_id, commit[:12], worktree.branch)
    return commit


def diff_worktree(worktree: Worktree, include_uncommitted: bool = False) -> WorktreeDiff:
    """Return the agent's changes against the snapshot: committed ones, or the work tree as is."""
    path = worktree.path
    base = worktree.base or git_text(path, "rev-parse", snapshot_ref(worktree.task_id))
    if include_uncommitted:
        with temporary_index(worktree.git_common_dir, seed=index_file(path)) as index:
            stage_work_tree(path, index)
            head = git_text(path, "write-tree", env={"GIT_INDEX_FILE": str(index)})
    else:
        head = git_text(path, "rev-parse", "HEAD")
    options = ("--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/")
    text = run_git(path, "diff", *options, "-M", base, head).decode("utf-8", "replace")
    names = run_git(path, "diff", "--name-only", "-z", "--no-renames", base, head)
    return WorktreeDiff(base, head, text, tuple(split_nul(names)))


def registered_worktrees(common: Path) -> dict[Path, str]:
    """Map each registered worktree's path to its branch name ("" when detached)."""
    out = run_git(common, "worktree", "list", "--porcelain", "-z")
    found: dict[Path, str] = {}
    path: Path | None = None
    branch = ""
    for field in out.split(b"\0"):
        text = field.decode("utf-8", "surrogateescape")
        if text.startswith("worktree "):
            path, branch = Path(text.removeprefix("worktree ")), ""
        elif text.startswith("branch "):
            branch = text.removeprefix("branch ").removeprefix("refs/heads/")
        elif not text and path is not None:
            found[_resolved(path)] = branch
            path = None
    return found


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def _snapshot_commits(common: Path) -> dict[str, str]:
    """Map task id to snapshot commit for every task that still has a snapshot ref."""
    out = git_text(
        common, "for-each-ref", "--format=%(objectname) %(refname)", "refs/orchard/tasks/"
    )
    bases: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, ref = line.partition(" ")
        parts = ref.split("/")
        if len(parts) == 5 and parts[4] == "base":
            bases[parts[3]] = sha
    return bases


def forget_missing_worktree(common: Path, path: Path) -> None:
    """Remove git's admin entry for a worktree at `path` whose folder is gone (a scoped prune)."""
    admin_root = common / "worktrees"
    if not admin_root.is_dir():
        return
    target = path / ".git"
    for admin in admin_root.iterdir():
        gitdir = admin / "gitdir"
        with contextlib.suppress(OSError):
            if Path(gitdir.read_text().strip()) == target and not path.exists():
                shutil.rmtree(admin)
