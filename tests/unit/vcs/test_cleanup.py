"""Reclaiming agent worktrees: one at a time, a whole task, or beyond the retention limit."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys

import pytest

from orchard.vcs.cleanup import discard_task, prune, remove_worktree
from orchard.vcs.snapshot import create_snapshot
from orchard.vcs.worktree import Worktree, commit_worktree, create_worktree, list_task_worktrees
from tests.support.gitrepo import GitRepo


def make_task(repo: GitRepo, task_id: str, agents: list[str]) -> list[Worktree]:
    snapshot = create_snapshot(repo.root, task_id)
    return [create_worktree(snapshot, agent) for agent in agents]


def orchard_refs(repo: GitRepo) -> list[str]:
    out = repo.git("for-each-ref", "--format=%(refname)", "refs/heads/orchard", "refs/orchard")
    return out.splitlines()


def test_remove_worktree_keeps_the_branch_unless_asked(git_repo: GitRepo) -> None:
    first, second = make_task(git_repo, "t1", ["a", "b"])
    (first.path / "dirty.txt").write_text("uncommitted\n")

    remove_worktree(first)
    remove_worktree(second, delete_branch=True)

    assert not first.path.exists() and not second.path.exists()
    assert list_task_worktrees(git_repo.root) == []
    assert "refs/heads/orchard/t1/a" in orchard_refs(git_repo)
    assert "refs/heads/orchard/t1/b" not in orchard_refs(git_repo)
    assert str(first.path) not in git_repo.git("worktree", "list")


def test_discard_task_removes_its_worktrees_branches_and_refs_only(git_repo: GitRepo) -> None:
    doomed = make_task(git_repo, "t1", ["a", "b"])
    commit_target = doomed[0]
    (commit_target.path / "f.py").write_text("F = 1\n")
    commit_worktree(commit_target, "work", model="m")
    kept = make_task(git_repo, "t2", ["a"])
    user_branches = git_repo.git("branch", "--list", "main", "feature")

    cleanup = discard_task(git_repo.root, "t1")

    assert set(cleanup.worktrees) == {w.path for w in doomed}
    assert set(cleanup.refs) == {
        "refs/heads/orchard/t1/a",
        "refs/heads/orchard/t1/b",
        "refs/orchard/tasks/t1/base",
    }
    assert sorted(orchard_refs(git_repo)) == [
        "refs/heads/orchard/t2/a",
        "refs/orchard/tasks/t2/base",
    ]
    assert list_task_worktrees(git_repo.root) == kept
    assert not (doomed[0].path.parent).exists()
    assert git_repo.git("branch", "--list", "main", "feature") == user_branches


def test_discard_task_after_its_folders_were_deleted_by_hand(git_repo: GitRepo) -> None:
    worktrees = make_task(git_repo, "t1", ["a"])
    subprocess.run(["rm", "-rf", str(worktrees[0].path.parent)], check=True)

    discard_task(git_repo.root, "t1")

    assert orchard_refs(git_repo) == []
    assert git_repo.git("worktree", "list", "--porcelain").count("worktree ") == 1


def test_prune_keeps_the_newest_and_spares_protected_tasks(git_repo: GitRepo) -> None:
    old = make_task(git_repo, "old", ["a", "b"])
    running = make_task(git_repo, "running", ["a"])
    new = make_task(git_repo, "new", ["a"])
    ages = {old[0]: 100, old[1]: 200, running[0]: 300, new[0]: 400}
    for worktree, mtime in ages.items():
        os.utime(worktree.path / ".git", (mtime, mtime))

    removed = prune(git_repo.root, keep=1, protect={"running"})

    assert {w.path for w in removed} == {old[0].path, old[1].path}
    remaining = {w.path for w in list_task_worktrees(git_repo.root)}
    assert remaining == {running[0].path, new[0].path}
    assert "refs/heads/orchard/old/a" in orchard_refs(git_repo)  # the work stays reachable


def test_prune_removes_folders_git_never_registered(git_repo: GitRepo) -> None:
    (kept,) = make_task(git_repo, "t1", ["a"])
    stray = kept.path.parent.parent / "crashed" / "agent"
    stray.mkdir(parents=True)
    (stray / "half-written.py").write_text("x")

    assert prune(git_repo.root, keep=10) == []

    assert not stray.parent.exists()
    assert kept.path.exists()


def test_prune_refuses_a_negative_limit(git_repo: GitRepo) -> None:
    with pytest.raises(ValueError):
        prune(git_repo.root, keep=-1)


def test_repository_lock_excludes_other_processes(git_repo: GitRepo) -> None:
    common = (git_repo.root / ".git").resolve()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from orchard.vcs.git import shared_refs_lock\n"
            f"with shared_refs_lock(Path({str(common)!r})):\n"
            "    print('locked', flush=True); sys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with open(common / "orchard" / "git.lock", "a+b") as handle:
            with pytest.raises(BlockingIOError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.flush()
            assert holder.wait() == 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
