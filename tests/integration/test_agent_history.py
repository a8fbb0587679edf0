"""An agent's long history is summarised by `weak_model` through the local model server, and
the summary (not the long turn) is what the next prompt carries."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from orchard.cli import main
from orchard.context.summary import SUMMARY_PREFIX, summary_prompt
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, fault_400, reply
from tests.unit.agents.support import FILES, GREET_REPLY

RAMBLE = "I considered the pomegranate approach at length. " * 300  # ~2,100 words, no edits
SUMMARY = "We discussed greeting politely; no edits were made yet."


@pytest.fixture
def repo(
    make_repo: Callable[..., GitRepo], model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> GitRepo:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    base = model_server.api_base
    config = (
        "weak_model = 'openai/weak'\n"
        f"[[models]]\nmodel = 'openai/coder'\napi_base = '{base}'\n"
        f"[[models]]\nmodel = 'openai/weak'\napi_base = '{base}'\n"
        "[retry]\nmax_attempts = 1\n[lint.tools]\npython = []\n"
    )
    return make_repo({**FILES, ".orchard.toml": config})


def run(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(
        ["run", "greet politely", "--models", "openai/coder", "--json", "--root", str(repo.root)]
    )
    agent = json.loads(capsys.readouterr().out)["agents"][0]
    return code, agent


@pytest.mark.slow
def test_a_history_over_budget_is_summarised_by_the_weak_model_for_the_next_prompt(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.script("coder", reply(RAMBLE), reply(GREET_REPLY))
    model_server.script("weak", reply(SUMMARY))

    code, agent = run(repo, capsys)

    assert code == 0 and agent["state"] == "committed"
    (summary_request,) = model_server.requests_for("weak")
    assert summary_request.messages[0]["content"] == summary_prompt()
    assert "pomegranate" in summary_request.messages[-1]["content"]
    first, second = model_server.requests_for("coder")
    assert "pomegranate" not in first.prompt_text  # the ramble is the first reply
    assert SUMMARY_PREFIX + SUMMARY in second.prompt_text
    assert "pomegranate" not in second.prompt_text


def test_when_the_weak_model_fails_the_agents_own_model_summarises(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.script("coder", reply(RAMBLE), reply(SUMMARY), reply(GREET_REPLY))
    model_server.script("weak", fault_400())

    code, agent = run(repo, capsys)

    assert code == 0 and agent["state"] == "committed"
    assert len(model_server.requests_for("weak")) == 1
    coder = model_server.requests_for("coder")
    assert len(coder) == 3
    assert coder[1].messages[0]["content"] == summary_prompt()  # the fallback summary call
    assert SUMMARY_PREFIX + SUMMARY in coder[2].prompt_text
    assert "pomegranate" not in coder[2].prompt_text
