"""The judge model through litellm and the local model server: asked only when the leaders'
scores are close, its pick taken when it names one of them, the scores deciding otherwise."""

from __future__ import annotations

import dataclasses

import pytest

from orchard.config import Settings
from orchard.models.client import ModelClient
from orchard.review.judge import Candidate, judge
from tests.support.model_server import ModelServer, fault_401, reply
from tests.unit.agents.support import settings_for

CLOSE = (
    Candidate("a1-tidy", tests="passed", changed_lines=10, diff="+tidy = 1\n"),
    Candidate("a2-full", tests="passed", changed_lines=60, diff="+full = 1\n"),
    Candidate("a3-broken", tests="failed", changed_lines=5, diff="+broken = 1\n"),
)


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


def judging(server: ModelServer) -> Settings:
    return dataclasses.replace(settings_for(server, "openai/judge"), judge_model="openai/judge")


async def test_the_judge_model_settles_close_scores_between_the_leaders_only(
    model_server: ModelServer,
) -> None:
    model_server.script("judge", reply('Sure. {"agent": "a2-full", "reason": "handles None"}'))
    settings = judging(model_server)
    picked = await judge(CLOSE, settings=settings, client=ModelClient(settings), request="fix it")
    assert picked.agent_id == "a2-full"
    assert picked.reasons[0] == "judge: handles None"
    [request] = model_server.requests_for("judge")
    assert request.body.get("response_format") == {"type": "json_object"}
    prompt = request.prompt_text
    assert "+tidy = 1" in prompt and "+full = 1" in prompt and "+broken = 1" not in prompt


async def test_a_judge_answer_naming_no_leader_or_failing_leaves_the_scores_to_decide(
    model_server: ModelServer,
) -> None:
    model_server.script("judge", reply('{"agent": "a3-broken", "reason": "smallest"}'), fault_401())
    settings = judging(model_server)
    client = ModelClient(settings)
    assert (await judge(CLOSE, settings=settings, client=client)).agent_id == "a1-tidy"
    assert (await judge(CLOSE, settings=settings, client=client)).agent_id == "a1-tidy"


async def test_clear_scores_never_ask_the_judge_model(model_server: ModelServer) -> None:
    settings = judging(model_server)
    clear = (CLOSE[0], CLOSE[2])
    picked = await judge(clear, settings=settings, client=ModelClient(settings))
    assert picked.agent_id == "a1-tidy" and model_server.requests == []
