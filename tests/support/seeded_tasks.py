"""Tasks whose agents already committed, written with the real journal and real git (a real
snapshot, agent commits on `orchard/<task>/<agent>` branches), for tests of what comes after a
run (publishing) without running models. Also a bare repository to be the remote.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from orchard.agents.task import RunState, TaskSpec, TaskState, run_id_for
from orchard.memory.journal import Journal
from orchard.vcs.names import branch_name
from orchard.vcs.repository import state_db_path
from orchard.vcs.snapshot import create_snapshot
from tests.support.gitrepo import GIT_ENV, GitRepo, init_repo

INT_ADD = "def add(a, b):\n    return int(a) + int(b)\n"


def seed_task(
    repo: GitRepo,
    request: str = "make add convert its arguments to int",
    agents: Mapping[str, Mapping[str, str]] | None = None,
    failed: Sequence[str] = (),
) -> str:
    """Journal a done task whose `agents` each committed their files on their own branch."""
    agents = agents if agents is not None else {"a1": {"src/util.py": INT_ADD}}
    with Journal(state_db_path(repo.root)) as journal:
        task = journal.create_task(TaskSpec(request=request, models=("openai/gpt-test",)))
        snapshot = create_snapshot(repo.root, task.id)
        for agent, files in agents.items():
            branch = branch_name(task.id, agent)
            commit = _commit_on(repo, snapshot.commit, files, f"{agent}: {request}")
            repo.git("branch", branch, commit)
            journal.add_run(task.id, agent, "openai/gpt-test", branch, repo.root / ".gone" / agent)
            journal.set_run_state(run_id_for(task.id, agent), RunState.COMMITTED, commit=commit)
        for agent in failed:
            journal.add_run(
                task.id,
                agent,
                "openai/gpt-test",
                branch_name(task.id, agent),
                repo.root / ".gone" / agent,
            )
            journal.set_run_state(run_id_for(task.id, agent), RunState.FAILED, error="no edits")
        journal.set_task_state(task.id, TaskState.DONE, snapshot=snapshot.commit)
    return task.id


def _commit_on(repo: GitRepo, parent: str, files: Mapping[str, str], message: str) -> str:
    """Write a commit of `files` on top of `parent` through a scratch index (the user's stays)."""
    index = {"GIT_INDEX_FILE": str(repo.root / ".git" / "seed-index")}
    _git(repo, "read-tree", parent, env=index)
    for path, text in files.items():
        blob = _git(repo, "hash-object", "-w", "--stdin", stdin=text)
        _git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=index)
    tree = _git(repo, "write-tree", env=index)
    (repo.root / ".git" / "seed-index").unlink()
    return _git(repo, "commit-tree", tree, "-p", parent, "-m", message)


def _git(repo: GitRepo, *args: str, env: Mapping[str, str] | None = None, stdin: str = "") -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo.root,
        env={**os.environ, **GIT_ENV, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def bare_remote(root: Path) -> GitRepo:
    """Create an empty bare repository at `root` to push to."""
    root.mkdir(parents=True)
    remote = GitRepo(root)
    remote.git("init", "-q", "--bare", "-b", "main")
    return remote


def clone_of(remote: GitRepo, root: Path) -> GitRepo:
    """Clone `remote` at `root` (someone else's checkout of the same repository)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    other = init_repo(root)
    other.git("remote", "add", "origin", str(remote.root))
    other.git("fetch", "-q", "origin")
    return other
