"""The orchestrator end to end: real git, real worktrees, litellm against the local model server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchard.agents.events import RunProgress, RunStateChanged, TaskFinished
from orchard.agents.orchestrator import Orchestrator
from orchard.agents.task import RunState, TaskSpec, TaskState
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, fault_401, reply
from tests.unit.agents.support import ADD_REPLY, FILES, GREET_REPLY, settings_for


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo(FILES)


def branch_file(repo: GitRepo, branch: str, path: str) -> str:
    return repo.git("show", f"{branch}:{path}")


async def test_best_of_three_models_each_commit_on_their_own_branch(
    repo: GitRepo, model_server: ModelServer
) -> None:
    models = ("openai/alpha", "openai/beta", "openai/gamma")
    for model in models:
        model_server.script(model, reply(GREET_REPLY))
    orchestrator = Orchestrator(repo.root, settings_for(model_server, *models))
    seen: list[object] = []
    orchestrator.bus.add_listener(seen.append)
    spec = TaskSpec("greet politely", models=models, editable=("src/app.py",))
    result = await orchestrator.run_task(spec)
    assert result.state is TaskState.DONE
    assert [o.state for o in result.outcomes] == [RunState.COMMITTED] * 3
    assert sorted(o.model for o in result.outcomes) == sorted(models)
    for outcome in result.outcomes:
        assert outcome.files == ("src/app.py",)
        assert "Hello, {name}!" in branch_file(repo, outcome.branch, "src/app.py")
        assert outcome.tokens > 0
    assert (repo.root / "src/app.py").read_text() == FILES["src/app.py"]
    states = [e.state for e in seen if isinstance(e, RunStateChanged) and e.agent_id == "a1-alpha"]
    assert states == [RunState.PREPARING, RunState.EDITING, RunState.LINTING, RunState.COMMITTED]
    assert any(isinstance(e, RunProgress) for e in seen)
    assert isinstance(seen[-1], TaskFinished)
    journal_states = [
        e.data["to"]
        for e in orchestrator.journal.events(result.outcomes[0].task_id + "/a1-alpha")
        if e.kind == "state"
    ]
    assert journal_states == ["queued", "preparing", "editing", "linting", "committed"]


async def test_one_failing_model_leaves_the_others_to_finish(
    repo: GitRepo, model_server: ModelServer
) -> None:
    models = ("openai/good", "openai/broken", "openai/fine")
    model_server.script("good", reply(GREET_REPLY))
    model_server.script("broken", fault_401())
    model_server.script("fine", reply(ADD_REPLY))
    orchestrator = Orchestrator(repo.root, settings_for(model_server, *models))
    result = await orchestrator.run_task(TaskSpec("fix things", models=models))
    by_model = {o.model: o for o in result.outcomes}
    assert by_model["openai/good"].state is RunState.COMMITTED
    assert by_model["openai/fine"].state is RunState.COMMITTED
    assert by_model["openai/broken"].state is RunState.FAILED
    assert "key" in (by_model["openai/broken"].error or "").lower()
    assert result.state is TaskState.DONE
