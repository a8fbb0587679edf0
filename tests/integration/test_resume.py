"""`orchard tasks resume`: a run killed mid-stream (SIGKILL of a real `orchard run`) finishes on
its own branch; unknown tasks and tasks with nothing interrupted are refused clearly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orchard.agents.orchestrator import Orchestrator
from orchard.agents.task import AgentRun, RunState, TaskLimits, TaskSpec, TaskState, new_task_id
from orchard.cli import main
from orchard.errors import OrchardError
from orchard.memory.journal import Journal
from orchard.vcs.names import branch_name, worktree_path
from orchard.vcs.repository import git_common_dir, state_db_path
from orchard.vcs.snapshot import create_snapshot
from orchard.vcs.worktree import create_worktree
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, Reply, reply
from tests.unit.agents.support import FILES, GREET_REPLY, settings_for
from tests.unit.vcs.userstate import user_state

UTIL_EDITED = "def add(a, b):\n    return int(a) + int(b)\n"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], model_server: ModelServer) -> GitRepo:
    config = f"[[models]]\nmodel = 'openai/slowly'\napi_base = '{model_server.api_base}'\n"
    return make_repo({**FILES, ".orchard.toml": config})


def kill_run_mid_stream(repo: GitRepo, model_server: ModelServer) -> None:
    """Start a real `orchard run` against a slow stream and SIGKILL it while it streams."""
    model_server.set_default(Reply(text=GREET_REPLY * 50, chunk_chars=2, chunk_delay=0.05))
    process = subprocess.Popen(
        [sys.executable, "-m", "orchard", "run", "greet", "--root", str(repo.root)],
        env={**os.environ, "OPENAI_API_KEY": "sk-test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert model_server.wait_for(lambda s: bool(s.requests_for("slowly")), timeout=120)
        wait_for_journaled_progress(repo, timeout=120)  # some of the stream arrived and was kept
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


def wait_for_journaled_progress(repo: GitRepo, timeout: float) -> None:
    """Wait until the running process has journaled a progress event (read-only, as a peer)."""
    database = state_db_path(repo.root)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if database.exists():
            with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
                try:
                    query = "select count(*) from journal_events where kind = 'progress'"
                    if db.execute(query).fetchone()[0]:
                        return
                except sqlite3.OperationalError:
                    pass  # the tables are not there yet
        time.sleep(0.1)
    raise AssertionError("the run never journaled its progress")


def users_own(repo: GitRepo) -> dict[str, object]:
    """The user's state without the agent branches, which resuming is meant to move."""
    state = user_state(repo)
    refs = str(state.pop("refs")).splitlines()
    return {**state, "refs": [r for r in refs if " refs/heads/orchard/" not in f" {r}"]}


def only_task(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["tasks", "list", "--json", "--root", str(repo.root)]) == 0
    (task,) = json.loads(capsys.readouterr().out)
    return dict(task)


@pytest.mark.slow
def test_sigkilled_run_resumes_and_commits_on_its_own_branch(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    kill_run_mid_stream(repo, model_server)
    before = users_own(repo)
    task = only_task(repo, capsys)
    (run,) = task["runs"]
    assert task["state"] == "interrupted" and run["state"] == "interrupted"

    model_server.set_default(reply(GREET_REPLY))
    assert main(["tasks", "resume", str(task["id"]), "--json", "--root", str(repo.root)]) == 0
    out = capsys.readouterr()
    (agent,) = json.loads(out.out)["agents"]
    assert agent["state"] == "committed" and agent["branch"] == run["branch"]
    assert agent["agent"] == run["agent"] and agent["model"] == "openai/slowly"
    assert "committed" in out.err  # the live progress lines of `orchard run`
    assert "Hello, {name}!" in repo.git("show", f"{run['branch']}:src/app.py")
    assert repo.git("rev-parse", run["branch"]).strip() == agent["commit"]

    assert main(["tasks", "show", str(task["id"]), "--json", "--root", str(repo.root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["state"] == "done"
    events = shown["events"][f"{task['id']}/{run['agent']}"]
    marks = [
        e["data"]["to"] if e["kind"] == "state" else e["kind"]
        for e in events
        if e["kind"] in ("state", "resumed")
    ]
    assert marks == [
        *("queued", "preparing", "editing", "interrupted"),
        *("resumed", "queued", "preparing", "editing", "linting", "committed"),
    ]
    resumed_at = next(i for i, e in enumerate(events) if e["kind"] == "resumed")
    assert any(e["kind"] == "progress" for e in events[:resumed_at])  # journaled before the kill
    assert users_own(repo) == before
    assert (repo.root / "src/app.py").read_text() == FILES["src/app.py"]


def test_resuming_a_task_with_nothing_interrupted_says_so_and_exits_1(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply(GREET_REPLY))
    assert main(["run", "greet", "--json", "--root", str(repo.root)]) == 0
    task_id = json.loads(capsys.readouterr().out)["task"]
    requests = len(model_server.requests)

    assert main(["tasks", "resume", task_id, "--root", str(repo.root)]) == 1
    err = capsys.readouterr().err
    assert f"task {task_id} has nothing to resume" in err and "committed" in err
    assert len(model_server.requests) == requests


def test_resuming_an_unknown_task_is_an_error_like_show(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "show", "20990101-000000-beef", "--root", str(repo.root)]) == 1
    shown = capsys.readouterr().err
    assert main(["tasks", "resume", "20990101-000000-beef", "--root", str(repo.root)]) == 1
    resumed = capsys.readouterr().err
    assert shown == resumed == "orchard tasks: no task 20990101-000000-beef\n"
    assert main(["tasks", "resume", "--root", str(repo.root)]) == 2
    assert "which task?" in capsys.readouterr().err


DEAD_PROCESS = """
import json, sys
from orchard.memory.journal import Journal
from orchard.agents.task import RunState, TaskSpec, TaskState
db, task_id, snapshot, spec, runs, spent = json.loads(sys.argv[1])
journal = Journal(db)
journal.create_task(TaskSpec.from_json(spec), task_id)
journal.set_task_state(task_id, TaskState.RUNNING, snapshot=snapshot)
for agent, model, branch, worktree in runs:
    run = journal.add_run(task_id, agent, model, branch, worktree)
    journal.set_run_state(run.id, RunState.EDITING)
    usage = {"prompt_tokens": spent, "completion_tokens": 0, "cost_usd": 0.0}
    journal.record_event(run.id, "usage", usage)
"""


def journal_of_a_dead_process(repo: GitRepo, spec: TaskSpec, spent: int = 0) -> AgentRun:
    """Record a task with one run in flight, written by a process that has since exited."""
    task_id = new_task_id()
    snapshot = create_snapshot(repo.root, task_id)
    agent, model = "a1-slowly", spec.models[0]
    path = worktree_path(git_common_dir(repo.root), task_id, agent)
    runs = [[agent, model, branch_name(task_id, agent), str(path)]]
    db = str(state_db_path(repo.root))
    args = json.dumps([db, task_id, snapshot.commit, spec.to_json(), runs, spent])
    subprocess.run([sys.executable, "-c", DEAD_PROCESS, args], check=True)
    create_worktree(snapshot, agent)
    with Journal(db) as journal:
        (run,) = [r for r in journal.recover() if r.task_id == task_id]
    return run


async def test_resume_keeps_earlier_commits_and_uncommitted_leftovers(
    repo: GitRepo, model_server: ModelServer
) -> None:
    spec = TaskSpec("greet and add", models=("openai/slowly",), editable=("src/app.py",))
    run = journal_of_a_dead_process(repo, spec)
    worktree = Path(run.worktree)
    (worktree / "src/util.py").write_text(UTIL_EDITED)
    repo_in_worktree = GitRepo(worktree)
    repo_in_worktree.git("commit", "-qam", "agent's earlier commit")
    earlier = repo_in_worktree.git("rev-parse", "HEAD").strip()
    (worktree / "NOTES.md").write_text("left uncommitted\n")
    model_server.set_default(reply(GREET_REPLY))

    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, "openai/slowly"))
    try:
        result = await (await orchestrator.resume_task(run.task_id)).wait()
    finally:
        orchestrator.close()
    (outcome,) = result.outcomes
    assert outcome.state is RunState.COMMITTED and outcome.branch == run.branch
    assert set(outcome.files) == {"src/util.py", "NOTES.md", "src/app.py"}
    assert repo.git("rev-parse", f"{run.branch}^").strip() == earlier
    assert repo.git("show", f"{run.branch}:NOTES.md") == "left uncommitted\n"
    assert repo.git("show", f"{run.branch}:src/util.py") == UTIL_EDITED
    assert "Hello, {name}!" in repo.git("show", f"{run.branch}:src/app.py")
    prompt = json.dumps(model_server.requests[-1].messages)
    assert "int(a) + int(b)" in prompt  # the model saw the leftovers as files it is editing


async def test_resume_counts_what_was_spent_before_against_the_budget(
    repo: GitRepo, model_server: ModelServer
) -> None:
    spec = TaskSpec("greet", models=("openai/slowly",), limits=TaskLimits(max_tokens=1000))
    run = journal_of_a_dead_process(repo, spec, spent=1500)
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, "openai/slowly"))
    try:
        result = await (await orchestrator.resume_task(run.task_id)).wait()
    finally:
        orchestrator.close()
    (outcome,) = result.outcomes
    assert outcome.state is RunState.FAILED and outcome.error == "budget exhausted"
    assert model_server.requests == []
    assert result.state is TaskState.FAILED


async def test_runs_of_a_live_process_are_never_resumed(
    repo: GitRepo, model_server: ModelServer
) -> None:
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, "openai/slowly"))
    try:
        task = orchestrator.journal.create_task(TaskSpec("greet", models=("openai/slowly",)))
        orchestrator.journal.add_run(task.id, "a1-slowly", "openai/slowly", "b", "/nowhere")
        with pytest.raises(OrchardError, match="still running in another Orchard process"):
            await orchestrator.resume_task(task.id)
        (live,) = orchestrator.journal.runs(task.id)
        assert live.state is RunState.QUEUED
    finally:
        orchestrator.close()
    assert model_server.requests == []
