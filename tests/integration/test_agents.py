"""The orchestrator end to end: real git, real worktrees, litellm against the local model server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from orchard.agents.events import PlanMade, RunProgress, RunStateChanged, TaskFinished
from orchard.agents.orchestrator import Orchestrator
from orchard.agents.task import RunState, TaskLimits, TaskMode, TaskSpec, TaskState
from orchard.config import AgentSettings
from tests.support.gitrepo import GitRepo
from tests.support.model_server import (
    ModelServer,
    RecordedRequest,
    Reply,
    Step,
    fault_401,
    reply,
)
from tests.unit.agents.support import ADD_REPLY, FILES, GREET_REPLY, edit_block, settings_for

HI = "    return f'Hi, {name}!'\n"
UTIL_DIRTY = "def add(a, b):\n    return a + b  # dirty\n"


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
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, *models))
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
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, *models))
    result = await orchestrator.run_task(TaskSpec("fix things", models=models))
    by_model = {o.model: o for o in result.outcomes}
    assert by_model["openai/good"].state is RunState.COMMITTED
    assert by_model["openai/fine"].state is RunState.COMMITTED
    assert by_model["openai/broken"].state is RunState.FAILED
    assert "key" in (by_model["openai/broken"].error or "").lower()
    assert result.state is TaskState.DONE


PLAN = json.dumps(
    {
        "subtasks": [
            {"title": "greeting", "request": "make greet polite", "files": ["src/app.py"]},
            {"title": "adding", "request": "make add coerce ints", "files": ["src/util.py"]},
        ]
    }
)


def fan_out_responder(request: RecordedRequest) -> Step | str:
    if "You are the planner" in request.prompt_text:
        return reply(f"```json\n{PLAN}\n```")
    last = str(request.messages[-1]["content"])
    return reply(GREET_REPLY if "make greet polite" in last else ADD_REPLY)


async def test_fan_out_plans_two_subtasks_and_each_agent_edits_its_own_files(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.set_default(fan_out_responder, model="planner-coder")
    models = ("openai/planner-coder",)
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, *models))
    seen: list[object] = []
    orchestrator.bus.add_listener(seen.append)
    spec = TaskSpec("polish greet and add", mode=TaskMode.FAN_OUT, models=models)
    result = await orchestrator.run_task(spec)
    assert result.plan is not None and not result.plan.has_overlaps
    assert [o.state for o in result.outcomes] == [RunState.COMMITTED, RunState.COMMITTED]
    assert [o.files for o in result.outcomes] == [("src/app.py",), ("src/util.py",)]
    plan_events = [e for e in seen if isinstance(e, PlanMade)]
    assert plan_events[0].subtasks[0][1:] == ("greeting", ("src/app.py",))
    events = orchestrator.journal.events(f"{result.task_id}/a1-planner-coder")
    assert [e.data["title"] for e in events if e.kind == "plan"] == ["greeting"]


async def test_cancelling_one_agent_mid_stream_closes_its_request_and_spares_the_other(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.script("slowpoke", Reply(text=GREET_REPLY * 20, chunk_chars=4, chunk_delay=0.05))
    model_server.script("quick", reply(ADD_REPLY))
    models = ("openai/slowpoke", "openai/quick")
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, *models))
    streaming = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, RunProgress) and event.agent_id == "a1-slowpoke":
            streaming.set()

    orchestrator.bus.add_listener(on_event)
    handle = await orchestrator.start_task(TaskSpec("change things", models=models))
    await asyncio.wait_for(streaming.wait(), 30)
    handle.cancel("a1-slowpoke")
    result = await handle.wait()
    slow, quick = result.outcomes
    assert slow.state is RunState.CANCELLED and quick.state is RunState.COMMITTED
    assert await asyncio.to_thread(model_server.wait_for_disconnect, 5.0)
    run = orchestrator.journal.run(f"{result.task_id}/a1-slowpoke")
    assert run is not None and run.state is RunState.CANCELLED
    assert Path(slow.worktree).is_dir()  # left for inspection or cleanup
    assert result.state is TaskState.DONE


async def test_budget_exhaustion_fails_running_agents_and_never_starts_queued_ones(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.script("spender", reply(GREET_REPLY, prompt_tokens=900, completion_tokens=200))
    model_server.script("crawler", Reply(text=ADD_REPLY * 50, chunk_chars=4, chunk_delay=0.05))
    model_server.script("late", reply(ADD_REPLY))
    models = ("openai/spender", "openai/crawler", "openai/late")
    settings = settings_for(model_server, *models, agents=AgentSettings(max_agents=2))
    orchestrator = await Orchestrator.open(repo.root, settings)
    spec = TaskSpec("spend", models=models, limits=TaskLimits(max_tokens=1000))
    result = await orchestrator.run_task(spec)
    by_model = {o.model: o for o in result.outcomes}
    assert by_model["openai/crawler"].state is RunState.FAILED
    assert by_model["openai/crawler"].error == "budget exhausted"
    assert by_model["openai/late"].state is RunState.FAILED
    assert by_model["openai/late"].error == "budget exhausted"
    assert model_server.requests_for("late") == []
    assert by_model["openai/spender"].tokens == 1100


async def test_dirty_tree_and_unsaved_buffer_reach_the_agents_but_user_files_stay_identical(
    repo: GitRepo, model_server: ModelServer
) -> None:
    repo.write("src/util.py", UTIL_DIRTY)
    repo.write("notes.txt", "untracked notes\n")
    repo.git("add", "notes.txt")
    before = {p: (repo.root / p).read_bytes() for p in ("src/app.py", "src/util.py", "notes.txt")}
    index_before = (repo.root / ".git" / "index").read_bytes()
    status_before = repo.git("status", "--porcelain")
    buffer = "def greet(name):\n    return f'hi {name}'  # typed, not saved\n"
    model_server.script(
        "seer",
        reply(edit_block("src/app.py", "    return f'hi {name}'  # typed, not saved\n", HI)),
    )
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, "openai/seer"))
    spec = TaskSpec("greet", models=("openai/seer",), editable=("src/app.py", "src/util.py"))
    result = await orchestrator.run_task(spec, buffers={"src/app.py": buffer})
    (outcome,) = result.outcomes
    assert outcome.state is RunState.COMMITTED
    prompt = model_server.requests_for("seer")[0].prompt_text
    assert "typed, not saved" in prompt and "# dirty" in prompt
    assert "Hi, {name}!" in repo.git("show", f"{outcome.branch}:src/app.py")
    assert repo.git("show", f"{outcome.branch}:notes.txt") == "untracked notes\n"
    assert {p: (repo.root / p).read_bytes() for p in before} == before
    assert (repo.root / ".git" / "index").read_bytes() == index_before
    assert repo.git("status", "--porcelain") == status_before


async def test_apply_failures_lint_errors_and_failing_tests_are_reflected_until_fixed(
    repo: GitRepo, model_server: ModelServer
) -> None:
    broken = edit_block(
        "src/app.py", "    return f'hello {name}'\n", "    return f'Hello, {name}!'(\n"
    )
    fixed = edit_block(
        "src/app.py", "    return f'Hello, {name}!'(\n", "    return f'Hello, {name}!'\n"
    )
    model_server.script(
        "learner",
        reply(edit_block("src/app.py", "    no such line\n", "    x = 1\n")),
        reply(broken),
        reply(fixed),
        reply(ADD_REPLY.replace("int(a) + int(b)", "a + b + 0")),
    )
    check = "grep -q 'a + b + 0' src/util.py || { echo 'util.add is untouched'; exit 3; }"
    agents = AgentSettings(test_command=check)
    orchestrator = await Orchestrator.open(
        repo.root, settings_for(model_server, "openai/learner", agents=agents)
    )
    result = await orchestrator.run_task(TaskSpec("greet", models=("openai/learner",)))
    (outcome,) = result.outcomes
    assert outcome.state is RunState.COMMITTED
    assert (outcome.tests, outcome.lint_errors) == ("passed", 0)
    prompts = [r.messages[-1]["content"] for r in model_server.requests_for("learner")]
    assert len(prompts) == 4
    assert "failed to apply" in prompts[1]
    assert "introduced these errors" in prompts[2]
    assert "util.add is untouched" in prompts[3] and "exit code 3" in prompts[3]


async def test_cancelling_the_task_cancels_every_agent_and_the_task(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.set_default(Reply(text=GREET_REPLY * 20, chunk_chars=4, chunk_delay=0.05))
    models = ("openai/one", "openai/two", "openai/three")
    settings = settings_for(model_server, *models, agents=AgentSettings(max_agents=2))
    orchestrator = await Orchestrator.open(repo.root, settings)
    streaming = asyncio.Event()
    orchestrator.bus.add_listener(
        lambda event: streaming.set() if isinstance(event, RunProgress) else None
    )
    handle = await orchestrator.start_task(TaskSpec("change", models=models))
    await asyncio.wait_for(streaming.wait(), 30)
    orchestrator.cancel(handle.task_id)
    result = await handle.wait()
    assert [o.state for o in result.outcomes] == [RunState.CANCELLED] * 3
    assert result.state is TaskState.CANCELLED
    task = orchestrator.journal.task(handle.task_id)
    assert task is not None and task.state is TaskState.CANCELLED
    assert model_server.requests_for("three") == []  # it was still queued
    orchestrator.close()
