"""Fan-out integration end to end: real git (merge-tree), real worktrees, the lint pipeline, a
real test command, litellm against the local model server; agents merged into
`orchard/<task>/integration`, conflicts left as markers, breakers named, overlaps in sequence."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from orchard.agents.events import PlanMade, RunNote
from orchard.agents.integration import StepStatus, journaled_integration
from orchard.agents.orchestrator import Orchestrator
from orchard.agents.result import TaskResult
from orchard.agents.task import RunState, TaskMode, TaskSpec, TaskState
from orchard.config import AgentSettings
from orchard.service import OrchardService, TaskRequest
from orchard.vcs.names import INTEGRATION_AGENT
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, RecordedRequest, Step, reply, slow
from tests.unit.agents.support import ADD_REPLY, FILES, GREET_REPLY, edit_block, settings_for

MODEL = "openai/fanner"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo(FILES)


def plan_of(*subtasks: tuple[str, str, list[str]]) -> str:
    items = [{"title": t, "request": r, "files": f} for t, r, f in subtasks]
    return "```json\n" + json.dumps({"subtasks": items}) + "\n```"


def responder(plan: str, replies: dict[str, str]) -> Callable[[RecordedRequest], Step | str]:
    """Answer the planner with `plan`, and each agent by the subtask request it was given."""

    def answer(request: RecordedRequest) -> Step | str:
        if "You are the planner" in request.prompt_text:
            return reply(plan)
        asked = str(request.messages[-1]["content"])
        for key, text in replies.items():
            if key in asked:
                return reply(text)
        return reply("I have nothing to change.")

    return answer


async def fan_out(
    repo: GitRepo,
    server: ModelServer,
    plan: str,
    replies: dict[str, str],
    *,
    agents: AgentSettings | None = None,
    parallel_overlaps: bool = False,
    resolver: str | None = None,
) -> tuple[Orchestrator, TaskResult, list[object]]:
    server.set_default(responder(plan, replies), model="fanner")
    models = (MODEL, resolver) if resolver else (MODEL,)
    settings = replace(settings_for(server, *models, agents=agents), resolver_model=resolver)
    orchestrator = await Orchestrator.open(repo.root, settings)
    seen: list[object] = []
    orchestrator.bus.add_listener(seen.append)
    spec = TaskSpec(
        "do both parts",
        mode=TaskMode.FAN_OUT,
        models=(MODEL,),
        parallel_overlaps=parallel_overlaps,
    )
    result = await orchestrator.run_task(spec)
    return orchestrator, result, seen


def show(repo: GitRepo, ref: str, path: str) -> str:
    return repo.git("show", f"{ref}:{path}")


async def test_two_agents_on_different_files_both_land_in_the_integration_linted_after_each(
    repo: GitRepo, model_server: ModelServer
) -> None:
    plan = plan_of(
        ("greeting", "make greet polite", ["src/app.py"]),
        ("adding", "make add coerce ints", ["src/util.py"]),
    )
    replies = {"make greet polite": GREET_REPLY, "make add coerce ints": ADD_REPLY}
    orchestrator, result, seen = await fan_out(repo, model_server, plan, replies)
    assert result.state is TaskState.DONE
    integration = result.integration
    assert integration is not None
    branch = f"orchard/{result.task_id}/integration"
    assert integration.branch == branch
    assert [s.status for s in integration.steps] == [StepStatus.MERGED, StepStatus.MERGED]
    assert [s.lint_errors for s in integration.steps] == [0, 0]  # linted after each merge
    assert integration.conflicts == () and integration.broke_lint == ()
    assert repo.git("rev-parse", branch).strip() == integration.commit
    assert "Hello, {name}!" in show(repo, branch, "src/app.py")
    assert "int(a) + int(b)" in show(repo, branch, "src/util.py")
    first = integration.steps[0].commit
    assert first is not None and "Hello" in show(repo, first, "src/app.py")
    assert "int(a)" not in show(repo, first, "src/util.py")  # one merge at a time
    assert (repo.root / "src/app.py").read_text() == FILES["src/app.py"]  # user's tree untouched
    assert repo.git("status", "--porcelain") == ""
    run = orchestrator.journal.run(f"{result.task_id}/{INTEGRATION_AGENT}")
    assert run is not None and run.state is RunState.COMMITTED and run.commit == integration.commit
    assert journaled_integration(orchestrator.journal, result.task_id) == integration
    notes = [e for e in seen if isinstance(e, RunNote) and e.agent_id == INTEGRATION_AGENT]
    assert [n.data["agent"] for n in notes] == [o.agent_id for o in result.outcomes]
    orchestrator.close()


SAME_FUNCTION = plan_of(
    ("shout", "make greet shout", ["src/app.py"]),
    ("whisper", "make greet whisper", ["src/app.py"]),
)
SHOUT = edit_block("src/app.py", "    return f'hello {name}'\n", "    return f'HELLO {name}'\n")
WHISPER = edit_block("src/app.py", "    return f'hello {name}'\n", "    return f'psst {name}'\n")


async def test_two_agents_on_the_same_function_commit_markers_without_a_resolver(
    repo: GitRepo, model_server: ModelServer
) -> None:
    replies = {"make greet shout": SHOUT, "make greet whisper": WHISPER}
    orchestrator, result, _ = await fan_out(
        repo, model_server, SAME_FUNCTION, replies, parallel_overlaps=True
    )
    integration = result.integration
    assert integration is not None
    first, second = integration.steps
    assert first.status is StepStatus.MERGED
    assert second.status is StepStatus.CONFLICTS
    assert second.conflicts == ("src/app.py",) and integration.conflicts == ("src/app.py",)
    text = show(repo, integration.branch, "src/app.py")
    assert "<<<<<<< integration" in text and "||||||| base" in text
    assert f">>>>>>> {second.agent_id}" in text
    assert "HELLO" in text and "psst" in text and "hello {name}" in text
    assert integration.broke_lint == (second.agent_id,)  # markers do not parse
    orchestrator.close()


RESOLVER = "openai/settler"


async def test_a_conflict_between_siblings_is_settled_by_the_resolver(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.script("settler", reply("```python\n    return f'HELLO, psst {name}'\n```"))
    replies = {"make greet shout": SHOUT, "make greet whisper": WHISPER}
    orchestrator, result, _ = await fan_out(
        repo, model_server, SAME_FUNCTION, replies, parallel_overlaps=True, resolver=RESOLVER
    )
    integration = result.integration
    assert integration is not None
    second = integration.steps[1]
    assert second.status is StepStatus.RESOLVED and second.resolved == ("src/app.py",)
    assert integration.conflicts == () and integration.broke_lint == ()
    text = show(repo, integration.branch, "src/app.py")
    assert text == "def greet(name):\n    return f'HELLO, psst {name}'\n"
    asked = model_server.requests_for("settler")
    assert len(asked) == 1
    assert "make greet shout" in asked[0].prompt_text  # what was integrated before
    assert "make greet whisper" in asked[0].prompt_text  # what the merged agent was asked
    orchestrator.close()


async def test_a_resolver_answer_that_does_not_parse_leaves_markers_and_says_so(
    repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.script("settler", reply("```python\n    return f'HELLO {name}\n```"))
    replies = {"make greet shout": SHOUT, "make greet whisper": WHISPER}
    orchestrator, result, _ = await fan_out(
        repo, model_server, SAME_FUNCTION, replies, parallel_overlaps=True, resolver=RESOLVER
    )
    integration = result.integration
    assert integration is not None
    second = integration.steps[1]
    assert second.status is StepStatus.CONFLICTS and second.conflicts == ("src/app.py",)
    assert second.note == "resolver left markers"
    assert "<<<<<<< integration" in show(repo, integration.branch, "src/app.py")
    assert len(model_server.requests_for("settler")) == 1
    orchestrator.close()


TEST_COMMAND = (
    "python3 -c \"import sys; sys.path.insert(0, 'src'); import util; assert util.add(2, 3) == 5\""
)
BREAK_ADD = edit_block("src/util.py", "    return a + b\n", "    return a - b\n")


async def test_the_agent_whose_merge_breaks_the_tests_is_named(
    repo: GitRepo, model_server: ModelServer
) -> None:
    plan = plan_of(
        ("greeting", "make greet polite", ["src/app.py"]),
        ("subtract", "make add subtract", ["src/util.py"]),
    )
    replies = {"make greet polite": GREET_REPLY, "make add subtract": BREAK_ADD}
    agents = AgentSettings(test_command=TEST_COMMAND, max_reflections=0)
    orchestrator, result, _ = await fan_out(repo, model_server, plan, replies, agents=agents)
    integration = result.integration
    assert integration is not None
    assert integration.baseline_tests == "passed"
    polite, subtract = integration.steps
    assert polite.tests == "passed" and polite.broke == ()
    assert subtract.tests == "failed" and subtract.broke == ("tests",)
    assert integration.broke_tests == (subtract.agent_id,)
    assert "broke tests" in "\n".join(integration.summary())
    orchestrator.close()


async def test_overlapping_subtasks_run_in_sequence_from_the_first_ones_result(
    repo: GitRepo, model_server: ModelServer
) -> None:
    plan = plan_of(
        ("polite", "make greet polite", ["src/app.py"]),
        ("louder", "make greet louder", ["src/app.py"]),
    )
    # The second edit only applies to the first agent's result, not to the snapshot.
    LOUDER = edit_block(
        "src/app.py", "    return f'Hello, {name}!'\n", "    return f'Hello, {name}!!!'\n"
    )
    replies = {"make greet polite": GREET_REPLY, "make greet louder": LOUDER}
    orchestrator, result, seen = await fan_out(repo, model_server, plan, replies)
    first, second = result.outcomes
    assert [first.state, second.state] == [RunState.COMMITTED, RunState.COMMITTED]
    assert first.commit is not None and second.commit is not None
    assert repo.git("rev-parse", f"{second.commit}^").strip() == first.commit  # second's base
    made = next(e for e in seen if isinstance(e, PlanMade))
    assert made.overlaps == (("src/app.py", (first.agent_id, second.agent_id)),)
    events = orchestrator.journal.events(f"{result.task_id}/{second.agent_id}")
    assert [e.data["after"] for e in events if e.kind == "plan"] == [first.agent_id]
    integration = result.integration
    assert integration is not None
    assert [s.status for s in integration.steps] == [StepStatus.MERGED, StepStatus.MERGED]
    assert "Hello, {name}!!!" in show(repo, integration.branch, "src/app.py")
    orchestrator.close()


async def test_cancelling_an_agent_that_waits_for_its_predecessor_spares_the_predecessor(
    repo: GitRepo, model_server: ModelServer
) -> None:
    plan = plan_of(
        ("polite", "make greet polite", ["src/app.py"]),
        ("louder", "make greet louder", ["src/app.py"]),
    )

    def answer(request: RecordedRequest) -> Step | str:
        if "You are the planner" in request.prompt_text:
            return reply(plan)
        return slow(1.0, GREET_REPLY)

    model_server.set_default(answer, model="fanner")
    orchestrator = await Orchestrator.open(repo.root, settings_for(model_server, MODEL))
    spec = TaskSpec("do both parts", mode=TaskMode.FAN_OUT, models=(MODEL,))
    handle = await orchestrator.start_task(spec)
    first, second = handle.loops
    assert handle.waits_for == {second: first}
    handle.cancel(second)
    result = await handle.wait()
    states = {o.agent_id: o.state for o in result.outcomes}
    assert states == {first: RunState.COMMITTED, second: RunState.CANCELLED}
    assert len(model_server.requests_for("fanner")) == 2  # the planner and the first agent
    integration = result.integration
    assert integration is not None
    assert [s.status for s in integration.steps] == [StepStatus.MERGED, StepStatus.SKIPPED]
    orchestrator.close()


def test_spec_keeps_the_parallel_overlaps_choice_through_the_journal(tmp_path: Path) -> None:
    spec = TaskSpec("x", mode=TaskMode.FAN_OUT, models=("m",), parallel_overlaps=True)
    assert TaskSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec
    assert TaskSpec.from_json({"request": "old"}).parallel_overlaps is False


async def test_accepting_agent_integration_brings_every_subtask_into_the_users_tree(
    repo: GitRepo, model_server: ModelServer
) -> None:
    plan = plan_of(
        ("greeting", "make greet polite", ["src/app.py"]),
        ("adding", "make add coerce ints", ["src/util.py"]),
    )
    replies = {"make greet polite": GREET_REPLY, "make add coerce ints": ADD_REPLY}
    model_server.set_default(responder(plan, replies), model="fanner")
    service = await OrchardService.open(repo.root, settings_for(model_server, MODEL))
    try:
        request = TaskRequest("do both parts", models=(MODEL,), mode=TaskMode.FAN_OUT)
        result = await service.wait(await service.start_task(request))
        assert result.integration is not None
        unnamed = await service.plan(result.task_id)  # a fan-out task's result: the integration
        assert unnamed.agent_id == INTEGRATION_AGENT
        accepted = await service.accept(result.task_id, INTEGRATION_AGENT)
        assert accepted.to_json()["conflicts"] == []
        assert sorted(accepted.to_json()["written"]) == ["src/app.py", "src/util.py"]
    finally:
        await service.close()
    assert "Hello, {name}!" in (repo.root / "src/app.py").read_text()
    assert "int(a) + int(b)" in (repo.root / "src/util.py").read_text()
    assert repo.git("diff", "--cached", "--name-only") == ""  # the index untouched
