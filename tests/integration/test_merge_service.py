"""Bringing results back through the service: a real task's agent commit merged into the user's
current state (files and unsaved buffers), the resolver against the local model server, accept
writing only the working tree, and the journal, worktrees and branches afterwards."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable

import pytest

from orchard.agents.events import Event, TaskAccepted
from orchard.config import Settings
from orchard.errors import ResultNotChosen, RunConflict, TaskNotFound
from orchard.service import OrchardService, TaskRequest
from orchard.service.accepting import merge_target
from orchard.vcs.merge_plan import MARKER_OURS, FileChangeKind
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, reply, slow
from tests.unit.agents.support import edit_block, settings_for

APP = (
    "import os\n\n\ndef greet(name):\n    return f'hello {name}'\n\n\n"
    "def farewell(name):\n    return f'bye {name}'\n"
)
FILES = {"src/app.py": APP, "src/util.py": "def add(a, b):\n    return a + b\n"}
GREET = edit_block("src/app.py", "    return f'hello {name}'\n", "    return f'Hello, {name}!'\n")
CODER, RESOLVER = "openai/coder", "openai/resolver"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo(FILES)


def settings(model_server: ModelServer, resolver: bool = False) -> Settings:
    chosen = settings_for(model_server, CODER, RESOLVER)
    return dataclasses.replace(chosen, resolver_model=RESOLVER if resolver else None)


@pytest.fixture
async def service(repo: GitRepo, model_server: ModelServer) -> AsyncIterator[OrchardService]:
    opened = await OrchardService.open(repo.root, settings(model_server))
    yield opened
    await opened.close()


async def run_task(service: OrchardService, model_server: ModelServer, *replies: str) -> str:
    model_server.script("coder", *(reply(r) for r in replies))
    handle = await service.start_task(TaskRequest("greet politely", models=(CODER,) * len(replies)))
    result = await service.wait(handle)
    assert len(result.committed) == len(replies)
    return handle.task_id


def asked_times(count: int) -> Callable[[ModelServer], bool]:
    """A wait_for predicate: the resolver has been asked `count` times."""
    return lambda server: len(server.requests_for("resolver")) == count


def index_side(repo: GitRepo) -> list[str]:
    """The staged column of `git status --porcelain` (what accepting must never change)."""
    return [line[:1] + " " + line[3:] for line in repo.git("status", "--porcelain").splitlines()]


async def test_accept_merges_into_the_users_later_edits_and_touches_only_the_working_tree(
    repo: GitRepo, service: OrchardService, model_server: ModelServer
) -> None:
    task = await run_task(service, model_server, GREET)
    user = APP.replace("bye {name}", "goodbye {name}")
    repo.write("src/app.py", user)  # after the snapshot, on other lines of the same file
    repo.git("add", "src/util.py")
    head, index = repo.head(), (repo.root / ".git/index").read_bytes()
    staged = index_side(repo)
    seen: list[Event] = []
    service.bus.add_listener(seen.append)

    result = await service.accept(task)

    text = (repo.root / "src/app.py").read_text()
    assert "Hello, {name}!" in text and "goodbye {name}" in text
    assert result.written == ("src/app.py",) and result.conflicts == ()
    assert result.to_json()["plan"]["clean"] is True
    assert set(result.to_json()) == {"task", "agent", "plan", "written", "deleted", "conflicts"}
    assert repo.head() == head and (repo.root / ".git/index").read_bytes() == index
    assert index_side(repo) == staged
    assert repo.git("symbolic-ref", "HEAD").strip() == "refs/heads/main"
    view = await service.show_task(task, events=True)
    (run,) = view["runs"]
    assert run["worktree_exists"] is False
    assert repo.git("rev-parse", run["branch"]).strip() == run["commit"]  # branch kept
    accepted = [e for e in view["events"][f"{task}/{run['agent']}"] if e["kind"] == "accepted"]
    assert accepted and accepted[0]["data"]["written"] == ["src/app.py"]
    assert TaskAccepted(task, run["agent"]) in seen


async def test_plan_uses_the_unsaved_buffer_and_writes_nothing(
    repo: GitRepo, service: OrchardService, model_server: ModelServer
) -> None:
    task = await run_task(service, model_server, GREET)
    buffer = APP.replace("import os", "import os  # typed in the editor")
    plan = await service.plan(task, buffers={"src/app.py": buffer})
    (file,) = plan.files
    assert file.from_buffer and file.current == buffer.encode()
    assert file.result is not None and b"# typed in the editor" in file.result
    assert b"Hello, {name}!" in file.result
    assert (repo.root / "src/app.py").read_text() == APP


async def test_a_true_conflict_keeps_markers_without_a_resolver_and_accept_lists_it(
    repo: GitRepo, service: OrchardService, model_server: ModelServer
) -> None:
    task = await run_task(service, model_server, GREET)
    repo.write("src/app.py", APP.replace("hello {name}", "hey {name}"))
    result = await service.accept(task)
    assert result.conflicts == ("src/app.py",)
    lines = (repo.root / "src/app.py").read_text().splitlines()
    (region,) = result.plan.conflicts[0].conflicts
    assert lines[region.start_line] == MARKER_OURS


async def test_the_resolver_settles_a_true_conflict_when_the_result_parses(
    repo: GitRepo, model_server: ModelServer
) -> None:
    service = await OrchardService.open(repo.root, settings(model_server, resolver=True))
    try:
        task = await run_task(service, model_server, GREET)
        repo.write("src/app.py", APP.replace("hello {name}", "hey {name}"))
        model_server.script(
            "resolver", reply("Both greet.\n```python\n    return f'Hey, {name}!'\n```\n")
        )
        plan = await service.plan(task)
        assert plan.is_clean
        (file,) = plan.files
        assert file.kind is FileChangeKind.MODIFIED
        assert file.conflicts[0].resolution == "    return f'Hey, {name}!'\n"
        assert file.result == APP.replace("hello {name}", "Hey, {name}!").encode()
        prompt = model_server.requests_for("resolver")[0].prompt_text
        assert "hey {name}" in prompt and "Hello, {name}!" in prompt and "greet politely" in prompt
    finally:
        await service.close()


async def test_a_resolver_answer_that_does_not_parse_keeps_the_markers_and_says_why(
    repo: GitRepo, model_server: ModelServer
) -> None:
    service = await OrchardService.open(repo.root, settings(model_server, resolver=True))
    try:
        task = await run_task(service, model_server, GREET)
        repo.write("src/app.py", APP.replace("hello {name}", "hey {name}"))
        model_server.script("resolver", reply("```python\n    return f'Hey, {name}!'(\n```"))
        plan = await service.plan(task)
        (file,) = plan.conflicts
        (region,) = file.unresolved
        assert region.note is not None and "does not parse" in region.note
        assert file.result is not None
        assert file.result.decode().splitlines()[region.start_line] == MARKER_OURS
    finally:
        await service.close()


async def test_a_resolver_answer_without_a_fence_is_refused(
    repo: GitRepo, model_server: ModelServer
) -> None:
    service = await OrchardService.open(repo.root, settings(model_server, resolver=True))
    try:
        task = await run_task(service, model_server, GREET)
        repo.write("src/app.py", APP.replace("hello {name}", "hey {name}"))
        model_server.script("resolver", reply("Just keep both, I think."))
        (file,) = (await service.plan(task)).conflicts
        assert file.unresolved[0].note is not None
        assert "no fenced code block" in file.unresolved[0].note
    finally:
        await service.close()


@pytest.mark.slow
async def test_a_file_changed_while_planning_is_planned_again_before_writing(
    repo: GitRepo, model_server: ModelServer
) -> None:
    service = await OrchardService.open(repo.root, settings(model_server, resolver=True))
    try:
        task = await run_task(service, model_server, GREET)
        repo.write("src/app.py", APP.replace("hello {name}", "hey {name}"))
        answer = "```python\n    return f'Hey, {name}!'\n```"
        model_server.script("resolver", slow(1.0, answer), reply(answer))
        accepting = asyncio.create_task(service.accept(task))
        asked = await asyncio.to_thread(
            model_server.wait_for, lambda s: len(s.requests_for("resolver")) == 1
        )
        assert asked
        meanwhile = APP.replace("hello {name}", "hey {name}").replace("bye", "so long")
        repo.write("src/app.py", meanwhile)  # typed while the resolver thought
        result = await accepting
        assert len(model_server.requests_for("resolver")) == 2
        text = (repo.root / "src/app.py").read_text()
        assert "so long {name}" in text and "Hey, {name}!" in text
        assert result.conflicts == ()
    finally:
        await service.close()


@pytest.mark.slow
async def test_a_file_that_keeps_changing_stops_accept_with_nothing_written(
    repo: GitRepo, model_server: ModelServer
) -> None:
    service = await OrchardService.open(repo.root, settings(model_server, resolver=True))
    try:
        task = await run_task(service, model_server, GREET)
        repo.write("src/app.py", APP.replace("hello {name}", "hey {name}"))
        answer = "```python\n    return f'Hey, {name}!'\n```"
        model_server.script("resolver", slow(1.0, answer), slow(1.0, answer))
        accepting = asyncio.create_task(service.accept(task))
        for round_ in (1, 2):
            await asyncio.to_thread(model_server.wait_for, asked_times(round_))
            last = APP.replace("hello {name}", "hey {name}") + f"# round {round_}\n"
            repo.write("src/app.py", last)
        with pytest.raises(RunConflict, match=r"src/app\.py"):
            await accepting
        assert (repo.root / "src/app.py").read_text() == last
        view = await service.show_task(task)
        assert view["runs"][0]["worktree_exists"] is True  # nothing accepted, nothing removed
    finally:
        await service.close()


async def test_without_a_name_the_judges_recommendation_is_planned(
    service: OrchardService, model_server: ModelServer
) -> None:
    util = edit_block("src/util.py", "    return a + b\n", "    return b + a\n")
    task = await run_task(service, model_server, GREET, util)
    view = await service.show_task(task)
    recommended = view["recommendation"]["agent"]
    assert (await service.plan(task)).agent_id == recommended
    with pytest.raises(TaskNotFound):
        await service.plan(task, "nobody")
    agents = [r["agent"] for r in view["runs"]]
    plans = {a: await service.plan(task, a) for a in agents}
    assert sorted(p.files[0].path for p in plans.values()) == ["src/app.py", "src/util.py"]


def test_several_results_and_no_recommendation_name_the_choices() -> None:
    runs = [
        {"agent": agent, "state": "committed", "commit": "c" * 40} for agent in ("a1-x", "a2-y")
    ]
    view = {"id": "t1", "runs": runs, "snapshot": "s" * 40, "request": "r"}
    with pytest.raises(ResultNotChosen, match="name one of a1-x, a2-y"):
        merge_target({**view, "recommendation": None}, None)
    assert merge_target(view, "a2-y").agent_id == "a2-y"
    failed = {**view, "runs": [{**runs[0], "state": "failed", "commit": None}]}
    with pytest.raises(ResultNotChosen, match="no agent of task t1 committed"):
        merge_target(failed, None)


async def test_agent_diff_gives_both_texts_and_gits_diff(
    service: OrchardService, model_server: ModelServer
) -> None:
    task = await run_task(service, model_server, GREET)
    agent = (await service.show_task(task))["runs"][0]["agent"]
    (diff,) = await service.agent_diff(task, agent)
    data = diff.to_json()
    assert set(data) == {"path", "old_path", "base", "result", "diff", "binary"}
    assert data["base"] == APP and "Hello, {name}!" in data["result"]
    assert "-    return f'hello {name}'" in data["diff"]
    assert "+    return f'Hello, {name}!'" in data["diff"]


async def test_record_accepted_journals_an_editor_applied_plan_and_removes_worktrees(
    service: OrchardService, model_server: ModelServer
) -> None:
    task = await run_task(service, model_server, GREET)
    plan = await service.plan(task)
    await service.record_accepted(task, plan.agent_id, plan)
    view = await service.show_task(task, events=True)
    assert view["runs"][0]["worktree_exists"] is False
    events = view["events"][f"{task}/{plan.agent_id}"]
    assert [e["data"]["by"] for e in events if e["kind"] == "accepted"] == ["editor"]
