"""Isolation between Orchard processes, through the real `orchard` command: kill -9 during a
slow setup or during the snapshot, and a second `orchard run` pruning while another runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchard.cli import main
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, Reply
from tests.unit.agents.support import FILES, GREET_REPLY

pytestmark = pytest.mark.slow


def orchard(repo: GitRepo, *args: str) -> subprocess.Popen[bytes]:
    """Start the real `orchard` in its own process group (so a test can kill all of it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "orchard", *args, "--root", str(repo.root)],
        env={**os.environ, "OPENAI_API_KEY": "sk-test", "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until(predicate: Callable[[], bool], timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def pids_with(token: str) -> list[int]:
    """Live (not zombie) processes whose command line holds `token`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@pytest.fixture
def token() -> Iterator[str]:
    value = f"orchard-test-{uuid.uuid4().hex}"
    yield value
    for pid in pids_with(value):  # never leave a process behind, whatever happened
        os.kill(pid, signal.SIGKILL)


def config(server: ModelServer, *models: str, agents: str = "") -> str:
    lines = [f"[[models]]\nmodel = '{m}'\napi_base = '{server.api_base}'\n" for m in models]
    return "".join(lines) + (f"[agents]\n{agents}\n" if agents else "")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.stdout is not None
    process.stdout.close()


def only_task(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["tasks", "list", "--json", "--root", str(repo.root)]) == 0
    (task,) = json.loads(capsys.readouterr().out)
    assert isinstance(task, dict)
    return task


def test_kill_during_setup_ends_the_setup_at_recovery_and_resume_runs_it_again(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    token: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    go = f"{uuid.uuid4().hex}.go"  # the setup hangs until this file exists next to the repo
    setup = (
        'echo started >> setup-log; [ -f "$ORCHARD_SOURCE_ROOT/../' + go + '" ] || '
        f"python3 -c 'import time; time.sleep(300)' {token}; echo done >> setup-log"
    )
    # No sandbox: a sandboxed setup dies with its parent anyway; groups matter without one.
    agents = f'sandbox = "off"\nsetup_command = """{setup}"""'
    repo = make_repo({**FILES, ".orchard.toml": config(model_server, "openai/m", agents=agents)})
    model_server.set_default(Reply(text=GREET_REPLY))
    process = orchard(repo, "run", "greet")
    try:
        assert wait_until(lambda: bool(pids_with(token))), "the setup never started"
    finally:
        os.kill(process.pid, signal.SIGKILL)  # only `orchard run`, as a crash would
        process.wait(timeout=30)
    assert pids_with(token), "the setup must outlive the crash for recovery to matter"

    task = only_task(repo, capsys)  # the next command recovers
    assert wait_until(lambda: not pids_with(token), timeout=10), "recovery left the setup running"
    assert task["state"] == "interrupted"
    task_id = str(task["id"])
    assert main(["tasks", "show", task_id, "--json", "--root", str(repo.root)]) == 0
    (events,) = json.loads(capsys.readouterr().out)["events"].values()
    ended = [e["data"] for e in events if e["kind"] == "process-ended"]
    assert ended and ended[0]["what"] == "setup" and ended[0]["killed"] is True

    (repo.root.parent / go).write_text("")
    resumed = orchard(repo, "tasks", "resume", task_id, "--json")
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, out
    (outcome,) = json.loads(out)["agents"]
    log = repo.git("show", f"{outcome['branch']}:setup-log")
    assert log.splitlines() == ["started", "started", "done"]  # setup ran again, to the end


def test_kill_during_the_snapshot_leaves_a_temporary_index_that_recovery_removes(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    token: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = make_repo({**FILES, ".gitattributes": "*.txt filter=slow\n",
                      ".orchard.toml": config(model_server, "openai/m")})  # fmt: skip
    started = repo.root.parent / f"{token}.started"
    # A clean filter makes the snapshot's `git add` pause deterministically on a dirty .txt file.
    clean = f"sh -c 'touch {started}; sleep 300; cat' {token}"
    repo.git("config", "filter.slow.clean", clean)
    repo.write("notes.txt", "dirty, so the snapshot must filter it\n")
    user_index = (repo.root / ".git" / "index").read_bytes()
    process = orchard(repo, "run", "greet")
    try:
        assert wait_until(started.exists), "the snapshot never reached the filter"
    finally:
        kill_group(process)  # orchard and the git it was running, mid-snapshot
    leftovers = list((repo.root / ".git" / "orchard" / "tmp").glob("index-*"))
    assert leftovers, "the crash should have left the temporary index"

    only_task(repo, capsys)  # any next command recovers
    assert list((repo.root / ".git" / "orchard" / "tmp").glob("index-*")) == []
    assert (repo.root / ".git" / "index").read_bytes() == user_index


def test_a_second_run_never_prunes_the_live_worktrees_of_another_process(
    make_repo: Callable[..., GitRepo], model_server: ModelServer
) -> None:
    go = f"{uuid.uuid4().hex}.go"
    # The first run's agents (models held1, held2) stay live in their setup until `go` exists
    # (inside the repository: a sandboxed setup sees it read-only, and nothing else of /tmp).
    hold = (
        'case "$ORCHARD_AGENT_ID" in *held*) '
        f'while [ ! -f "$ORCHARD_SOURCE_ROOT/.git/{go}" ]; do sleep 0.1; done;; esac'
    )
    model_server.set_default(Reply(text=GREET_REPLY))
    models = config(model_server, "openai/held1", "openai/held2", "openai/quick")
    agents = f"[agents]\nkeep_worktrees = 1\nsetup_command = '{hold}'\n"
    repo = make_repo({**FILES, ".orchard.toml": models + agents})
    home = repo.root / ".git" / "orchard" / "worktrees"
    first = orchard(repo, "run", "greet", "--models", "openai/held1,openai/held2", "--json")
    try:
        assert wait_until(lambda: len(list(home.glob("*/*"))) == 2), "first run's worktrees"
        live = sorted(home.glob("*/*"))
        second = orchard(repo, "run", "greet", "--models", "openai/quick", "--json")
        out, _ = second.communicate(timeout=300)
        assert second.returncode == 0, out
        assert all(path.is_dir() for path in live), "the second run pruned a live worktree"
        (repo.root / ".git" / go).write_text("")
        out, _ = first.communicate(timeout=300)
    finally:
        (repo.root / ".git" / go).write_text("")
        if first.poll() is None:
            kill_group(first)
    assert first.returncode == 0, out
    runs = json.loads(out)["agents"]
    assert [r["state"] for r in runs] == ["committed", "committed"]
