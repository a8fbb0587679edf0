"""kill -9 mid-task, then restart: the journal shows the task, nothing is lost, worktrees go."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from orchard.agents.task import RunState, TaskState
from orchard.memory.journal import Journal
from orchard.vcs.cleanup import discard_task
from orchard.vcs.repository import state_db_path
from orchard.vcs.worktree import list_task_worktrees
from tests.support.gitrepo import GitRepo

CHILD = textwrap.dedent(
    """
    import itertools, sys
    from pathlib import Path
    from orchard.memory.journal import Journal
    from orchard.agents.task import RunState, TaskSpec, TaskState
    from orchard.vcs.repository import state_db_path
    from orchard.vcs.snapshot import create_snapshot
    from orchard.vcs.worktree import create_worktree

    root = Path(sys.argv[1])
    journal = Journal(state_db_path(root))
    task = journal.create_task(TaskSpec(request="crash me", models=("m",)), task_id="crash1")
    snapshot = create_snapshot(root, task.id, {"src/buffer.py": "UNSAVED = 1\\n"})
    journal.set_task_state(task.id, TaskState.RUNNING, snapshot=snapshot.commit)
    runs = []
    for agent in ("a1", "a2"):
        worktree = create_worktree(snapshot, agent)
        run = journal.add_run(task.id, agent, "m", worktree.branch, worktree.path)
        runs.append(journal.set_run_state(run.id, RunState.EDITING))
        (worktree.path / "agent-work.py").write_text("half done\\n")
    print("ready", flush=True)
    for n in itertools.count():
        for run in runs:
            journal.record_event(run.id, "tick", {"n": n})
    """
)


def ticks(journal: Journal, run_id: str) -> list[int]:
    return [e.data["n"] for e in journal.events(run_id) if e.kind == "tick"]


def test_kill_9_mid_task_then_restart_loses_nothing(git_repo: GitRepo) -> None:
    git_repo.write("src/app.py", "dirty = True\n")
    user_status = git_repo.git("status", "--porcelain", "--ignored")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(git_repo.root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with Journal(state_db_path(git_repo.root)) as watcher:
            seen: list[int] = []
            while len(seen) < 50:  # wait for the child to be busy writing events
                seen = ticks(watcher, "crash1/a1")
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    with Journal(state_db_path(git_repo.root)) as journal:
        recovered = journal.recover()
        task = journal.task("crash1")
        runs = journal.runs("crash1")
        a1, a2 = ticks(journal, "crash1/a1"), ticks(journal, "crash1/a2")

    assert task is not None and task.state is TaskState.INTERRUPTED and task.snapshot
    assert sorted(r.id for r in recovered) == ["crash1/a1", "crash1/a2"]
    assert all(r.state is RunState.INTERRUPTED for r in runs)
    assert a1[: len(seen)] == seen  # every event seen before the kill is still there
    assert a1 == list(range(len(a1))) and a2 == list(range(len(a2)))  # and none has a gap

    worktrees = list_task_worktrees(git_repo.root, "crash1")
    assert sorted(str(w.path) for w in worktrees) == sorted(r.worktree for r in runs)
    assert all((w.path / "agent-work.py").is_file() for w in worktrees)

    discard_task(git_repo.root, "crash1")

    assert list_task_worktrees(git_repo.root) == []
    assert git_repo.git("for-each-ref", "refs/orchard", "refs/heads/orchard") == ""
    assert git_repo.git("status", "--porcelain", "--ignored") == user_status
