"""Reclaiming agent worktrees: remove one, discard a whole task (worktrees, branches, refs), and
keep at most N worktrees so they cannot pile up unseen. Never touches the user's own worktrees.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from orchard.errors import GitError
from orchard.vcs.git import git_text, run_git, shared_refs_lock
from orchard.vcs.names import BRANCH_PREFIX, check_id, worktrees_dir
from orchard.vcs.repository import git_common_dir
from orchard.vcs.worktree import (
    Worktree,
    forget_missing_worktree,
    list_task_worktrees,
    registered_worktrees,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cleanup:
    """What a cleanup removed."""

    worktrees: tuple[Path, ...] = ()
    refs: tuple[str, ...] = ()


def remove_worktree(worktree: Worktree, delete_branch: bool = False) -> None:
    """Remove an agent's worktree (even with uncommitted changes); optionally its branch too."""
    common = worktree.git_common_dir
    with shared_refs_lock(common):
        if worktree.path in registered_worktrees(common):
            try:
                run_git(common, "worktree", "remove", "--force", "--force", str(worktree.path))
            except GitError as exc:
                log.warning(
                    "git could not remove %s (%s); removing its admin entry", worktree.path, exc
                )
                forget_missing_worktree(common, worktree.path)
        if worktree.path.exists():
            shutil.rmtree(worktree.path)
        forget_missing_worktree(common, worktree.path)
        if delete_branch:
            _delete_refs(common, [f"refs/heads/{worktree.branch}"])
        with contextlib.suppress(OSError):
            worktree.path.parent.rmdir()  # only when it was the task's last worktree
    log.info("removed worktree %s", worktree.path)


def discard_task(repo_root: Path, task_id: str) -> Cleanup:
    """Remove every worktree, branch and ref of a task; the user's work is never involved."""
    check_id(task_id, "task id")
    common = git_common_dir(repo_root)
    with shared_refs_lock(common):
        removed = []
        for worktree in list_task_worktrees(repo_root, task_id):
            remove_worktree(worktree)
            removed.append(worktree.path)
        leftover = worktrees_dir(common) / task_id
        if leftover.exists():
            shutil.rmtree(leftover)
        refs = git_text(
            common,
            "for-each-ref",
            "--format=%(refname)",
            f"refs/heads/{BRANCH_PREFIX}/{task_id}/",
            f"refs/orchard/tasks/{task_id}/",
        ).splitlines()
        _delete_refs(common, refs)
    log.info("discarded task %s: %d worktrees, %d refs", task_id, len(removed), len(refs))
    return Cleanup(tuple(removed), tuple(refs))


def prune(
    repo_root: Path, keep: int, protect: Collection[str] | Callable[[], Collection[str]] = ()
) -> list[Worktree]:
    """Keep the `keep` newest agent worktrees, remove older ones (branches stay); return removed.

    Worktrees of tasks in `protect` (running ones) are never removed but count toward `keep`.
    A callable `protect` is asked after the worktrees are listed, under the repository lock, so
    a task another process starts meanwhile (its worktrees come after its journal row) is seen.
    Folders left by a crash before git registered them are removed too.
    """
    if keep < 0:
        raise ValueError("keep must be zero or more")
    common = git_common_dir(repo_root)
    with shared_refs_lock(common):
        worktrees = list_task_worktrees(repo_root)
        protect = set(protect() if callable(protect) else protect)
        _remove_unregistered_folders(common, {w.path for w in worktrees}, protect)
        newest_first = sorted(worktrees, key=_created_at, reverse=True)
        removed = [w for w in newest_first[keep:] if w.task_id not in protect]
        for worktree in removed:
            remove_worktree(worktree)
    if removed:
        log.info("pruned %d agent worktrees beyond the newest %d", len(removed), keep)
    return removed


def _created_at(worktree: Worktree) -> float:
    # The `.git` file of a worktree is written once, when git creates it.
    for candidate in (worktree.path / ".git", worktree.path):
        with contextlib.suppress(OSError):
            return candidate.stat().st_mtime
    return 0.0


def _remove_unregistered_folders(common: Path, known: set[Path], protect: Collection[str]) -> None:
    home = worktrees_dir(common)
    if not home.is_dir():
        return
    for task in home.iterdir():
        if not task.is_dir() or task.name in protect:
            continue
        for agent in task.iterdir():
            if agent.resolve() not in known:
                log.info("removing unregistered worktree folder %s", agent)
                shutil.rmtree(agent) if agent.is_dir() else agent.unlink()
        with contextlib.suppress(OSError):
            task.rmdir()


def _delete_refs(common: Path, refs: list[str]) -> None:
    if not refs:
        return
    commands = "".join(f"delete {ref}\n" for ref in refs).encode("utf-8")
    run_git(common, "update-ref", "--stdin", input=commands)
