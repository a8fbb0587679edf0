"""`orchard run` fails plainly and stays bounded: the model preflight (exit 2 before anything is
created), an unreachable provider named with host and port, a task's wall-clock limit, and
runaway replies next to a normal agent."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import pytest

from orchard.cli import main
from orchard.config import ModelSettings, Settings
from orchard.models.preflight import check_models
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, drip, reply
from tests.unit.agents.support import FILES, GREET_REPLY

NO_LINT = "[lint.tools]\npython = []\n"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def models_toml(api_base: str, *names: str) -> str:
    return "".join(f"[[models]]\nmodel = 'openai/{n}'\napi_base = '{api_base}'\n" for n in names)


def nothing_created(repo: GitRepo) -> bool:
    refs = repo.git("for-each-ref", "--format=%(refname)", "refs/orchard/", "refs/heads/orchard/")
    worktrees = repo.git("worktree", "list", "--porcelain").count("worktree ")
    return (
        refs.strip() == ""
        and worktrees == 1
        and not (repo.root / ".git/orchard/worktrees").exists()
    )


def test_a_missing_api_key_exits_2_naming_it_before_anything_is_created(
    make_repo: Callable[..., GitRepo],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    repo = make_repo(dict(FILES))

    code = main(["run", "x", "--models", "openai/gpt-4o", "--root", str(repo.root)])

    _out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == [err.strip()]  # one line for the one model
    assert "openai/gpt-4o" in err and "OPENAI_API_KEY" in err
    assert nothing_created(repo)


def test_every_model_that_cannot_be_called_gets_its_own_line(
    make_repo: Callable[..., GitRepo],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ORCHARD_TEST_KEY", raising=False)
    config = "[[models]]\nmodel = 'openai/custom'\napi_key_env = 'ORCHARD_TEST_KEY'\n"
    repo = make_repo({**FILES, ".orchard.toml": config})
    models = "openai/gpt-4o,anthropic/claude-sonnet-4-5,nosuchprovider/x,openai/custom"

    code = main(["run", "x", "--models", models, "--root", str(repo.root)])

    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 4
    assert "OPENAI_API_KEY" in lines[0] and "ANTHROPIC_API_KEY" in lines[1]
    assert "unknown provider 'nosuchprovider'" in lines[2]
    assert "ORCHARD_TEST_KEY" in lines[3]
    assert nothing_created(repo)


def test_local_servers_that_need_no_key_pass_the_preflight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("OPENAI_API_KEY", "HOSTED_VLLM_API_KEY", "OLLAMA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(
        models=(
            ModelSettings(model="ollama/qwen2.5-coder:14b", api_base="http://127.0.0.1:11434"),
            ModelSettings(model="hosted_vllm/coder", api_base="http://127.0.0.1:8000/v1"),
        )
    )
    assert check_models(settings, [m.model for m in settings.models]) == []
    # an OpenAI-style client still needs a key with any api_base: the preflight says so
    problems = check_models(settings, ["openai/coder"])
    assert [p.model for p in problems] == ["openai/coder"] and "OPENAI_API_KEY" in problems[
        0
    ].problem


def test_an_unreachable_provider_is_named_with_host_and_port_in_table_and_json(
    make_repo: Callable[..., GitRepo],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    port = closed_port()
    config = models_toml(f"http://127.0.0.1:{port}/v1", "coder") + NO_LINT
    repo = make_repo({**FILES, ".orchard.toml": config})

    code = main(["run", "x", "--models", "openai/coder", "--json", "--root", str(repo.root)])
    data = json.loads(capsys.readouterr().out)
    code_table = main(["run", "x", "--models", "openai/coder", "--root", str(repo.root)])
    table = capsys.readouterr().out

    assert code == 1 and code_table == 1
    error = data["agents"][0]["error"]
    assert f"127.0.0.1:{port}" in error and "connection refused" in error
    assert "paused after" not in error
    assert f"127.0.0.1:{port}" in table


def test_max_time_ends_a_task_whose_stream_only_drips(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    config = models_toml(model_server.api_base, "coder") + NO_LINT
    repo = make_repo({**FILES, ".orchard.toml": config})
    model_server.set_default(drip(every=0.5), model="coder")

    code = main(
        [
            "run",
            "x",
            "--models",
            "openai/coder",
            "--max-time",
            "3",
            "--json",
            "--root",
            str(repo.root),
        ]
    )

    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["agents"][0]["state"] == "failed"
    assert data["agents"][0]["error"] == "time limit of 3 s reached"


@pytest.mark.slow
def test_two_runaway_replies_next_to_a_normal_agent_leave_it_to_finish_normally(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    config = models_toml(model_server.api_base, "coder", "huge1", "huge2") + NO_LINT
    repo = make_repo({**FILES, ".orchard.toml": config})
    huge = reply("endless prose " * 750_000, chunk_chars=16_384)  # 10.5 MB each
    model_server.set_default(huge, model="huge1")
    model_server.set_default(huge, model="huge2")
    model_server.set_default(reply(GREET_REPLY), model="coder")
    models = "openai/coder,openai/huge1,openai/huge2"

    code = main(["run", "greet politely", "--models", models, "--json", "--root", str(repo.root)])

    agents = {a["model"]: a for a in json.loads(capsys.readouterr().out)["agents"]}
    assert code == 0
    assert agents["openai/coder"]["state"] == "committed"
    for name in ("openai/huge1", "openai/huge2"):
        assert agents[name]["state"] == "failed"
        assert "far beyond the model's output limit" in agents[name]["error"]
        assert len(model_server.requests_for(name)) == 1  # aborted, never retried
