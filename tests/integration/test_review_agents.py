"""Every committing agent reviewed and the task judged, end to end: real git, real worktrees, a
real test command, litellm against the local model server; findings and the recommendation in
the journal, on the bus (before TaskFinished), in the service's views and in memory."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable

import pytest

from orchard.agents.events import RunNote, RunReviewed, TaskFinished, TaskJudged
from orchard.agents.orchestrator import Orchestrator
from orchard.agents.task import RunState, TaskSpec, TaskState
from orchard.config import AgentSettings, Settings
from orchard.review.findings import Severity
from orchard.service import OrchardService, TaskRequest
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, RecordedRequest, Reply, fault_401, reply
from tests.unit.agents.support import FILES, GREET_REPLY, edit_block, settings_for

TEST = f"{sys.executable} -c \"import sys; sys.path.insert(0, 'src'); from util import add; assert add('2', '3') == 5\""  # noqa: E501
SMALL_REPLY = edit_block("README.md", "# demo\n", "# demo app\n", fence="markdown")
BIG_REPLY = edit_block(
    "src/util.py",
    "def add(a, b):\n    return a + b\n",
    'def add(a, b):\n    """Add two numbers, given as numbers or as text."""\n'
    "    first = int(a)\n    second = int(b)\n    total = first + second\n    return total\n",
)


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo(FILES)


def reviewing(server: ModelServer, *models: str, test_command: str | None = None) -> Settings:
    agents = AgentSettings(max_reflections=0, test_command=test_command, sandbox="off")
    settings = settings_for(server, *models, "openai/reviewer", agents=agents)
    return dataclasses.replace(settings, reviewer_model="openai/reviewer")


def review_by_file(request: RecordedRequest) -> Reply:
    """Say one hint on README.md and nothing on other files (as a reviewer reading the diff)."""
    if "+++ b/README.md" in request.prompt_text:
        hint = {"file": "README.md", "line": 1, "severity": "hint", "message": "say more"}
        return reply(json.dumps({"findings": [hint]}))
    return reply('```json\n{"findings": []}\n```')


async def test_the_judge_picks_passing_tests_over_a_smaller_diff_whose_tests_fail(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.script("small", reply(SMALL_REPLY))
    model_server.script("big", reply(BIG_REPLY))
    model_server.set_default(review_by_file, model="reviewer")
    settings = reviewing(model_server, "openai/small", "openai/big", test_command=TEST)
    orchestrator = await Orchestrator.open(repo.root, settings)
    seen: list[object] = []
    orchestrator.bus.add_listener(seen.append)
    spec = TaskSpec("make add accept text", models=("openai/small", "openai/big"))
    result = await orchestrator.run_task(spec)
    small, big = result.outcomes
    assert (small.state, small.tests) == (RunState.COMMITTED, "failed")
    assert (big.state, big.tests) == (RunState.COMMITTED, "passed")
    assert result.recommendation is not None
    assert result.recommendation.agent_id == big.agent_id
    assert result.recommendation.reasons[0] == "tests pass"
    scores = result.recommendation.scores
    assert scores[big.agent_id] > scores[small.agent_id]
    assert [f.severity for f in result.findings[small.agent_id]] == [Severity.HINT]
    assert result.findings[big.agent_id] == ()
    kinds = [
        type(e).__name__ for e in seen if isinstance(e, RunReviewed | TaskJudged | TaskFinished)
    ]
    assert sorted(kinds[:2]) == ["RunReviewed", "RunReviewed"]
    assert kinds[2:] == ["TaskJudged", "TaskFinished"]
    journal = orchestrator.journal
    reviews = journal.task_events(result.task_id, ("review",))
    assert {e.run_id.split("/")[1] for e in reviews} == {small.agent_id, big.agent_id}
    [judged] = journal.task_events(result.task_id, ("judge",))
    assert judged.data["agent"] == big.agent_id
    orchestrator.close()


async def test_a_reviewer_failure_is_a_note_and_the_run_stays_committed(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.script("coder", reply(GREET_REPLY))
    model_server.set_default(fault_401(), model="reviewer")
    orchestrator = await Orchestrator.open(repo.root, reviewing(model_server, "openai/coder"))
    notes: list[RunNote] = []
    orchestrator.bus.add_listener(lambda e: notes.append(e) if isinstance(e, RunNote) else None)
    result = await orchestrator.run_task(TaskSpec("greet politely", models=("openai/coder",)))
    [outcome] = result.outcomes
    assert result.state is TaskState.DONE and outcome.state is RunState.COMMITTED
    assert [n.kind for n in notes if n.kind.startswith("review")] == ["review-failed"]
    assert result.findings == {}
    assert result.recommendation is not None and result.recommendation.agent_id == outcome.agent_id
    kinds = [e.kind for e in orchestrator.journal.events(f"{result.task_id}/{outcome.agent_id}")]
    assert "review-failed" in kinds and "review" not in kinds
    orchestrator.close()


async def test_views_findings_and_memory_carry_the_review_into_the_next_task(
    repo: GitRepo, model_server: ModelServer
) -> None:
    past = "UNIQUE-PAST-FINDING greet shouts"
    first = {"file": "src/app.py", "line": 2, "severity": "warning", "message": past}
    model_server.script("coder", reply(GREET_REPLY), reply(GREET_REPLY))
    model_server.script(
        "reviewer", reply(json.dumps({"findings": [first]})), reply('{"findings": []}')
    )
    service = await OrchardService.open(repo.root, reviewing(model_server, "openai/coder"))
    try:
        handle = await service.start_task(
            TaskRequest("greet politely", ("openai/coder",), files=("src/app.py",))
        )
        result = await service.wait(handle)
        [agent] = [o.agent_id for o in result.outcomes]
        view = await service.show_task(result.task_id)
        [run] = view["runs"]
        assert run["files"] == ["src/app.py"] and run["tests"] == "not run"
        assert run["lint_errors"] == 0 and run["tokens"] > 0 and run["cost_usd"] >= 0
        assert [f["message"] for f in run["findings"]] == [past]
        assert view["recommendation"]["agent"] == agent
        assert view["recommendation"]["reasons"][0] == "tests not run"
        listed = await service.list_tasks()
        assert listed[0]["runs"][0]["findings"] == run["findings"]
        found = await service.findings(result.task_id)
        assert [(f.line, f.severity) for f in found[agent]] == [(2, Severity.WARNING)]
        await service.wait(
            await service.start_task(TaskRequest("greet again, gently", ("openai/coder",)))
        )
    finally:
        await service.close()
    second = model_server.requests_for("reviewer")[1].prompt_text
    assert past in second and result.task_id in second
