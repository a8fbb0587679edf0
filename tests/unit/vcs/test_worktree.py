"""Agent worktrees: created off the snapshot, committed without user hooks, diffed, provisioned."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from orchard.errors import WorkspaceError
from orchard.vcs.cleanup import discard_task
from orchard.vcs.provision import WorktreeSetup, looks_secret
from orchard.vcs.snapshot import Snapshot, create_snapshot
from orchard.vcs.worktree import (
    commit_worktree,
    create_worktree,
    diff_worktree,
    list_task_worktrees,
)
from tests.support.gitrepo import GitRepo
from tests.unit.vcs.userstate import user_state


@pytest.fixture
def snapshot(git_repo: GitRepo) -> Snapshot:
    git_repo.write("src/app.py", "def greet(name):\n    return 'dirty'\n")
    return create_snapshot(git_repo.root, "task1", {"src/buffer.py": "UNSAVED = 1\n"})


def test_worktree_lives_in_the_git_dir_on_its_own_branch(
    git_repo: GitRepo, snapshot: Snapshot
) -> None:
    worktree = create_worktree(snapshot, "agent-a")

    common = (git_repo.root / ".git").resolve()
    assert worktree.path == common / "orchard" / "worktrees" / "task1" / "agent-a"
    assert worktree.branch == "orchard/task1/agent-a"
    assert worktree.base == snapshot.commit
    assert git_repo.git("-C", str(worktree.path), "symbolic-ref", "HEAD").strip() == (
        "refs/heads/orchard/task1/agent-a"
    )
    assert git_repo.git("-C", str(worktree.path), "rev-parse", "HEAD").strip() == snapshot.commit


def test_worktree_holds_the_dirty_files_and_unsaved_buffers(snapshot: Snapshot) -> None:
    worktree = create_worktree(snapshot, "agent-a")

    assert (worktree.path / "src/app.py").read_text() == "def greet(name):\n    return 'dirty'\n"
    assert (worktree.path / "src/buffer.py").read_text() == "UNSAVED = 1\n"
    assert (worktree.path / "notes.txt").read_text() == "untracked\n"
    assert not (worktree.path / "debug.log").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=worktree.path, capture_output=True, text=True
    )
    assert status.stdout == ""


def test_user_status_is_unchanged_by_agent_worktrees(git_repo: GitRepo, snapshot: Snapshot) -> None:
    before = git_repo.git("status", "--porcelain", "--ignored")

    create_worktree(snapshot, "agent-a")

    assert git_repo.git("status", "--porcelain", "--ignored") == before
    assert git_repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_many_agents_get_worktrees_in_parallel(git_repo: GitRepo, snapshot: Snapshot) -> None:
    agents = [f"agent-{n}" for n in range(6)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        made = list(pool.map(lambda agent: create_worktree(snapshot, agent), agents))

    listed = list_task_worktrees(git_repo.root, "task1")
    assert sorted(w.agent_id for w in listed) == agents
    assert {w.path for w in listed} == {w.path for w in made}
    assert all((w.path / "src/buffer.py").is_file() for w in made)


def test_creating_an_existing_worktree_again_reuses_it(snapshot: Snapshot) -> None:
    first = create_worktree(snapshot, "agent-a")
    (first.path / "work.txt").write_text("in progress\n")

    again = create_worktree(snapshot, "agent-a")

    assert again == first
    assert (again.path / "work.txt").read_text() == "in progress\n"


def test_worktree_is_rebuilt_from_its_branch_when_its_folder_vanished(
    git_repo: GitRepo, snapshot: Snapshot
) -> None:
    first = create_worktree(snapshot, "agent-a")
    (first.path / "feature.py").write_text("DONE = True\n")
    commit = commit_worktree(first, "add feature", model="m")
    subprocess.run(["rm", "-rf", str(first.path)], check=True)

    again = create_worktree(snapshot, "agent-a")

    assert (again.path / "feature.py").read_text() == "DONE = True\n"
    assert git_repo.git("-C", str(again.path), "rev-parse", "HEAD").strip() == commit


def test_agent_commit_names_task_agent_and_model(git_repo: GitRepo, snapshot: Snapshot) -> None:
    worktree = create_worktree(snapshot, "agent-a")
    (worktree.path / "src/app.py").write_text("changed by agent\n")
    (worktree.path / "src/added.py").write_text("ADDED = 1\n")

    sha = commit_worktree(worktree, "Make greet shorter", model="openai/gpt-4o")

    assert sha is not None
    show = git_repo.git("show", "-s", "--format=%an <%ae>%n%P%n%B", sha)
    author, parent, *body = show.splitlines()
    assert author == "Orchard agent <agent@orchard.invalid>"
    assert parent == snapshot.commit
    assert body[0] == "Make greet shorter"
    assert "Orchard-Task: task1" in body and "Orchard-Model: openai/gpt-4o" in body
    assert git_repo.git("rev-parse", "orchard/task1/agent-a").strip() == sha


def test_commit_without_changes_returns_none(snapshot: Snapshot) -> None:
    worktree = create_worktree(snapshot, "agent-a")

    assert commit_worktree(worktree, "nothing", model="m") is None


def test_agent_commits_never_run_the_users_hooks(git_repo: GitRepo, snapshot: Snapshot) -> None:
    hooks = git_repo.root / ".git" / "hooks"
    marker = git_repo.root.parent / "hook-ran"
    for hook in ("pre-commit", "commit-msg", "post-commit", "post-checkout"):
        (hooks / hook).write_text(f"#!/bin/sh\necho {hook} >> {marker}\nexit 1\n")
        (hooks / hook).chmod(0o755)
    worktree = create_worktree(snapshot, "agent-a")
    (worktree.path / "x.py").write_text("X = 1\n")

    assert commit_worktree(worktree, "with hooks around", model="m") is not None
    assert not marker.exists()


def test_diff_against_the_snapshot_shows_committed_changes(snapshot: Snapshot) -> None:
    worktree = create_worktree(snapshot, "agent-a")
    (worktree.path / "src/app.py").write_text("def greet(name):\n    return 'agent'\n")
    commit_worktree(worktree, "agent edit", model="m")

    diff = diff_worktree(worktree)

    assert diff.paths == ("src/app.py",)
    assert "-    return 'dirty'" in diff.text and "+    return 'agent'" in diff.text
    assert "a/src/app.py" in diff.text


def test_diff_can_include_uncommitted_and_new_files(snapshot: Snapshot) -> None:
    worktree = create_worktree(snapshot, "agent-a")
    (worktree.path / "fresh.py").write_text("FRESH = 1\n")
    index = Path(
        subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-path", "index"],
            cwd=worktree.path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    index_before = index.read_bytes()

    committed = diff_worktree(worktree)
    live = diff_worktree(worktree, include_uncommitted=True)

    assert committed.paths == ()
    assert live.paths == ("fresh.py",)
    assert "+FRESH = 1" in live.text
    assert index.read_bytes() == index_before  # the agent's own index is left alone


def test_bad_agent_ids_are_refused(snapshot: Snapshot) -> None:
    for bad in ("../escape", "a/b", "", ".hidden", "x.lock"):
        with pytest.raises(ValueError):
            create_worktree(snapshot, bad)


def test_setup_copies_chosen_ignored_files_but_not_secrets(git_repo: GitRepo) -> None:
    git_repo.commit("ignore local files", {".gitignore": "*.log\n*.local.toml\n.env*\nsecrets/\n"})
    git_repo.write("config/app.local.toml", "debug = true\n")
    git_repo.write(".env.local", "API_KEY=sk-123\n")
    git_repo.write(".env", "TOKEN=abc\n")
    snapshot = create_snapshot(git_repo.root, "task2")
    setup = WorktreeSetup(copy_ignored=("config/*.toml", ".env*", ".env", "src/*.py"))

    worktree = create_worktree(snapshot, "agent-a", setup)

    assert (worktree.path / "config/app.local.toml").read_text() == "debug = true\n"
    assert (worktree.path / ".env").read_text() == "TOKEN=abc\n"  # named exactly
    assert not (worktree.path / ".env.local").exists()  # only matched by a wildcard
    assert looks_secret("keys/id_rsa") and looks_secret("a/.env.production")
    assert not looks_secret("config/app.local.toml")


def test_setup_command_runs_in_the_new_worktree(snapshot: Snapshot) -> None:
    setup = WorktreeSetup(command='echo "$ORCHARD_AGENT_ID $ORCHARD_TASK_ID" > setup.out')

    worktree = create_worktree(snapshot, "agent-a", setup)

    assert (worktree.path / "setup.out").read_text() == "agent-a task1\n"


def test_failing_setup_command_reports_its_output(snapshot: Snapshot) -> None:
    setup = WorktreeSetup(command="echo missing dependency >&2; exit 3")

    with pytest.raises(WorkspaceError, match=r"exit 3\):\nmissing dependency"):
        create_worktree(snapshot, "agent-a", setup)


def test_a_whole_agent_task_leaves_the_users_state_byte_identical(git_repo: GitRepo) -> None:
    git_repo.write("src/app.py", "user edit, not saved to git\n")
    git_repo.git("add", "src/app.py")
    git_repo.write("src/app.py", "user edit, changed again after staging\n")
    before = user_state(git_repo)

    snapshot = create_snapshot(git_repo.root, "life", {"src/util.py": "UNSAVED = True\n"})
    agents = [create_worktree(snapshot, name) for name in ("a1", "a2")]
    for worktree in agents:
        (worktree.path / "src/util.py").write_text(f"BY = {worktree.agent_id!r}\n")
        commit_worktree(worktree, "agent work", model="m")
    assert (agents[0].path / "src/app.py").read_text() == "user edit, changed again after staging\n"
    discard_task(git_repo.root, "life")

    assert user_state(git_repo) == before
