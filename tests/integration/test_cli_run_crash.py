"""kill -9 of `orchard run` mid-stream, then `orchard tasks`: nothing lost, all reclaimable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from orchard.cli import main
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, Reply
from tests.unit.agents.support import FILES, GREET_REPLY


@pytest.mark.slow
def test_sigkill_mid_stream_leaves_an_interrupted_task_that_can_be_discarded(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = f"[[models]]\nmodel = 'openai/slowly'\napi_base = '{model_server.api_base}'\n"
    repo = make_repo({**FILES, ".orchard.toml": config})
    model_server.set_default(Reply(text=GREET_REPLY * 50, chunk_chars=2, chunk_delay=0.05))
    env = {**os.environ, "OPENAI_API_KEY": "sk-test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "orchard", "run", "greet", "--root", str(repo.root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert model_server.wait_for(lambda s: bool(s.requests_for("slowly")), timeout=120)
        time.sleep(1.5)  # let some of the stream arrive and be journaled
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()

    assert main(["tasks", "list", "--json", "--root", str(repo.root)]) == 0
    (task,) = json.loads(capsys.readouterr().out)
    assert task["state"] == "interrupted"
    (run,) = task["runs"]
    assert run["state"] == "interrupted" and run["worktree_exists"]
    assert main(["tasks", "show", task["id"], "--json", "--root", str(repo.root)]) == 0
    events = json.loads(capsys.readouterr().out)["events"][f"{task['id']}/{run['agent']}"]
    states = [e["data"]["to"] for e in events if e["kind"] == "state"]
    assert states == ["queued", "preparing", "editing", "interrupted"]
    assert any(e["kind"] == "progress" and e["data"]["tokens"] > 0 for e in events)
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)

    assert main(["tasks", "discard", task["id"], "--root", str(repo.root)]) == 0
    assert "1 worktrees" in capsys.readouterr().out
    assert not os.path.exists(run["worktree"])
    assert repo.git("for-each-ref", "refs/heads/orchard/", "refs/orchard/").strip() == ""
    assert (repo.root / "src/app.py").read_text() == FILES["src/app.py"]
