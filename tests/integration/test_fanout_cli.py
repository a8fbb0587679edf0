"""Fan-out integration through the `orchard` command: `orchard run --mode fan-out
--parallel-overlaps` prints the integration, `orchard tasks show` shows it from the journal."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from orchard.cli import build_parser, main
from orchard.cli.run import task_request
from tests.integration.test_fanout import SAME_FUNCTION, SHOUT, WHISPER, responder
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer
from tests.unit.agents.support import FILES


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], model_server: ModelServer) -> GitRepo:
    config = (
        "[[models]]\nmodel = 'openai/fanner'\n"
        f"api_base = '{model_server.api_base}'\n"
        "[retry]\nmax_attempts = 1\n"
        "[lint.tools]\npython = []\n"
    )
    return make_repo({**FILES, ".orchard.toml": config})


def test_parallel_overlaps_flag_reaches_the_task_request() -> None:
    parser = build_parser("run")
    on = parser.parse_args(["run", "x", "--mode", "fan-out", "--parallel-overlaps"])
    off = parser.parse_args(["run", "x", "--mode", "fan-out"])
    assert task_request(on).parallel_overlaps is True
    assert task_request(off).parallel_overlaps is False


def test_run_and_tasks_show_report_the_integration_and_its_conflicts(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = {"make greet shout": SHOUT, "make greet whisper": WHISPER}
    model_server.set_default(responder(SAME_FUNCTION, replies), model="fanner")
    root = str(repo.root)
    args = ["run", "greet two ways", "--mode", "fan-out", "--parallel-overlaps", "--root", root]
    assert main(args) == 0
    out = capsys.readouterr().out
    task_id = out.split("orchard tasks discard ")[1].split()[0]
    assert f"integration: orchard/{task_id}/integration at " in out
    assert "conflict markers in src/app.py" in out
    assert main(["tasks", "show", task_id, "--root", root]) == 0
    shown = capsys.readouterr().out
    assert "conflict markers in src/app.py" in shown and "broke lint" in shown
    assert main(["tasks", "show", task_id, "--json", "--root", root]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["integration"]["conflicts"] == ["src/app.py"]
    assert view["spec"]["parallel_overlaps"] is True
    integration_run = [r for r in view["runs"] if r["agent"] == "integration"]
    assert integration_run[0]["commit"] == view["integration"]["commit"]
