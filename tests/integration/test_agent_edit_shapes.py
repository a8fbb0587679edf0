"""Every reply shape of tests/unit/edits/shapes.py through an agent and the local model server.

An accepted shape commits on the first reply; a refused one (or a reply that is only talk) puts
a useful message in the agent's next prompt, read from the request the server recorded, and the
corrected second reply commits. Hostile replies (lone surrogates, 10,000 blocks) never crash it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from orchard.agents.orchestrator import Orchestrator
from orchard.agents.task import RunState, TaskSpec
from orchard.config import LimitSettings
from orchard.edits import MAX_BLOCKS_PER_REPLY
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, reply
from tests.unit.agents.support import settings_for
from tests.unit.edits.shapes import ADD_FIXED, BASE, CALC, CALC_ADD, SHAPES, Shape, block

pytestmark = pytest.mark.slow  # one real agent run (worktree, commit) per shape

NO_EDITS_PHRASE = "I found no edits in your reply"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo(dict(BASE))


async def _run(
    repo: GitRepo,
    server: ModelServer,
    model: str,
    fmt: str,
    *replies: str,
    limits: LimitSettings | None = None,
) -> object:
    server.script(model, *(reply(text, chunk_chars=100_000) for text in replies))
    settings = settings_for(server, f"openai/{model}", edit_format=fmt)
    if limits is not None:  # a reply that big also overflows the history: a weak model sums up
        server.set_default(reply("The model replied with thousands of edit blocks."), model="sum")
        weak = dataclasses.replace(settings.models[0], model="openai/sum")
        settings = dataclasses.replace(
            settings, limits=limits, weak_model="openai/sum", models=(*settings.models, weak)
        )
    orchestrator = await Orchestrator.open(repo.root, settings)
    result = await orchestrator.run_task(TaskSpec("change it", models=(f"openai/{model}",)))
    (outcome,) = result.outcomes
    return outcome


def _prompts(server: ModelServer, model: str) -> list[str]:
    return [str(r.messages[-1]["content"]) for r in server.requests_for(model)]


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
async def test_shape_through_an_agent(
    shape: Shape, repo: GitRepo, model_server: ModelServer
) -> None:
    model = "shaper"
    replies = (shape.reply,) if shape.fix is None else (shape.reply, shape.fix)
    outcome = await _run(repo, model_server, model, shape.fmt, *replies)
    assert outcome.state is RunState.COMMITTED, outcome.error  # type: ignore[attr-defined]
    prompts = _prompts(model_server, model)
    assert len(prompts) == len(replies)
    if shape.fix is not None:
        assert shape.hint in prompts[1]
        if shape.note:
            assert NO_EDITS_PHRASE in prompts[1]
    expected = {**shape.after, **shape.fixed}
    for path, text in expected.items():
        assert repo.git("show", f"{outcome.branch}:{path}") == text  # type: ignore[attr-defined]
    assert {d.split("`")[1] for d in outcome.large_deletions} == set(shape.gutted)  # type: ignore[attr-defined]
    assert {p: (repo.root / p).read_text() for p in BASE} == BASE  # the user's tree is untouched


async def test_lone_surrogates_go_back_to_the_model_and_the_fix_commits(
    repo: GitRepo, model_server: ModelServer
) -> None:
    hostile = block("calc.py", "    return a + b\n", "    return a + b  # \udcff\n")
    outcome = await _run(repo, model_server, "garbled", "auto", hostile, ADD_FIXED)
    assert outcome.state is RunState.COMMITTED, outcome.error  # type: ignore[attr-defined]
    prompts = _prompts(model_server, "garbled")
    assert "not UTF-8 text" in prompts[1]
    assert repo.git("show", f"{outcome.branch}:calc.py") == CALC_ADD  # type: ignore[attr-defined]
    assert (repo.root / "calc.py").read_text() == CALC


async def test_ten_thousand_blocks_are_refused_at_once_and_the_fix_commits(
    repo: GitRepo, model_server: ModelServer
) -> None:
    flood = "".join(
        block("calc.py", f"def missing_{i}():\n    pass\n", "def found():\n    pass\n")
        for i in range(10_000)
    )
    # 10,000 blocks are far beyond a 4k-token model's output: let the reply-size cap allow them
    roomy = LimitSettings(reply_size_factor=100.0)
    outcome = await _run(repo, model_server, "flood", "auto", flood, ADD_FIXED, limits=roomy)
    assert outcome.state is RunState.COMMITTED, outcome.error  # type: ignore[attr-defined]
    prompts = _prompts(model_server, "flood")
    assert f"at most {MAX_BLOCKS_PER_REPLY} are applied" in prompts[1]
    assert len(prompts[1]) < 2_000  # one refusal, not 10,000 messages
    assert repo.git("show", f"{outcome.branch}:calc.py") == CALC_ADD  # type: ignore[attr-defined]
