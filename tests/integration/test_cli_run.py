"""`orchard run` and `orchard tasks` through main(): exit codes, the table, JSON, the journal."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable

import pytest

from orchard.agents.events import RunProgress, RunStateChanged, TaskStarted
from orchard.agents.task import RunState
from orchard.cli import build_parser, main
from orchard.cli.run import ProgressLines, task_request
from orchard.config import ModelSettings, Settings
from orchard.errors import SettingsError
from orchard.service import choose_models
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, reply
from tests.unit.agents.support import FILES, GREET_REPLY


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], model_server: ModelServer) -> GitRepo:
    config = (
        "[[models]]\nmodel = 'openai/coder'\n"
        f"api_base = '{model_server.api_base}'\n"
        "[retry]\nmax_attempts = 1\n"
        "[lint.tools]\npython = []\n"
    )
    return make_repo({**FILES, ".orchard.toml": config})


def user_state(repo: GitRepo) -> tuple[str, str, bytes, dict[str, bytes]]:
    files = {
        str(p.relative_to(repo.root)): p.read_bytes()
        for p in repo.root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo.root).parts
    }
    index = (repo.root / ".git" / "index").read_bytes()
    return repo.git("status", "--porcelain"), repo.git("symbolic-ref", "HEAD"), index, files


def test_run_prints_the_table_and_never_touches_the_user_tree(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply(GREET_REPLY), model="coder")
    repo.write("src/app.py", FILES["src/app.py"] + "# unsaved-on-disk tweak\n")
    before = user_state(repo)
    code = main(["run", "greet politely", "--agents", "2", "--root", str(repo.root)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0].split() == [
        "agent", "model", "state", "files", "lint", "tests", "tokens", "cost", "time", "branch"
    ]  # fmt: skip
    assert out.count("committed") == 2
    assert "git diff HEAD...orchard/" in out
    assert "preparing" in err and "committed" in err
    assert user_state(repo) == before
    branches = repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/orchard/").split()
    assert len(branches) == 2
    shown = repo.git("show", f"{branches[0]}:src/app.py")
    assert "Hello, {name}!" in shown and "# unsaved-on-disk tweak" in shown


def test_run_exits_1_with_json_when_no_agent_commits(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply("I would rather not change anything."), model="coder")
    code = main(
        ["run", "do nothing", "--model", "openai/coder", "--json", "--root", str(repo.root)]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["state"] == "failed"
    assert data["agents"][0]["state"] == "failed"
    assert data["agents"][0]["error"] == "the model made no changes"
    # the first try plus three reflections (settings.agents.max_reflections)
    assert len(model_server.requests_for("coder")) == 4


@pytest.mark.parametrize(
    "flags",
    [
        ["--models", "openai/a", "--model", "openai/b"],
        ["--models", "openai/a,openai/b", "--agents", "2"],
        ["--model", "openai/a", "--agents", "0"],
    ],
)
def test_contradictory_model_flags_are_usage_errors(
    repo: GitRepo, flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "x", *flags, "--root", str(repo.root)]) == 2
    assert "orchard run:" in capsys.readouterr().err


def test_run_outside_a_repository_is_a_usage_error(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "x", "--model", "openai/a", "--root", str(tmp_path)]) == 2
    assert "not inside a git repository" in capsys.readouterr().err


def test_tasks_list_show_and_discard_a_finished_task(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply(GREET_REPLY), model="coder")
    assert main(["run", "greet", "--json", "--root", str(repo.root)]) == 0
    task_id = json.loads(capsys.readouterr().out)["task"]
    assert main(["tasks", "list", "--root", str(repo.root)]) == 0
    assert task_id in capsys.readouterr().out
    assert main(["tasks", "show", task_id, "--json", "--root", str(repo.root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["state"] == "done"
    assert shown["runs"][0]["state"] == "committed" and shown["runs"][0]["worktree_exists"]
    assert main(["tasks", "discard", task_id, "--root", str(repo.root)]) == 0
    capsys.readouterr()
    assert repo.git("for-each-ref", "refs/heads/orchard/").strip() == ""
    assert main(["tasks", "list", "--root", str(repo.root)]) == 0
    assert task_id not in capsys.readouterr().out
    assert main(["tasks", "show", "nope", "--root", str(repo.root)]) == 1


def parsed(*argv: str) -> argparse.Namespace:
    return build_parser("run").parse_args(["run", "req", *argv])


def models_for(settings: Settings, *argv: str) -> tuple[str, ...]:
    return choose_models(task_request(parsed(*argv)), settings)


def test_models_come_from_flags_or_else_from_the_settings() -> None:
    settings = Settings(models=(ModelSettings("openai/a"), ModelSettings("ollama/b")))
    assert models_for(settings, "--models", "x/1, x/2") == ("x/1", "x/2")
    assert models_for(settings, "--model", "x/1", "--agents", "3") == ("x/1",) * 3
    assert models_for(settings) == ("openai/a", "ollama/b")
    assert models_for(settings, "--agents", "3") == ("openai/a", "ollama/b", "openai/a")
    with pytest.raises(SettingsError, match="no model to run"):
        models_for(Settings())
    with pytest.raises(SettingsError, match="not both"):
        models_for(settings, "--models", "x/1", "--model", "x/2")


def test_progress_lines_are_appended_per_state_change_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = ProgressLines(stream)
    progress(TaskStarted("t1", "abc123def4567890", (("a1-x", "openai/x"),)))
    progress(RunProgress("t1", "a1-x", 1, 10))
    progress(RunStateChanged("t1", "a1-x", RunState.FAILED, "budget exhausted"))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "task t1: snapshot abc123def456"
    assert len(lines) == 2
    assert "failed (budget exhausted)" in lines[1] and "10 tok" in lines[1]
