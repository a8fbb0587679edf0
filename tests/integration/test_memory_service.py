"""Memory through the service: a finished run is remembered per file, a discard is recorded,
and the next task naming that file shows the past outcome in the prompt the model receives."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchard.service import OrchardService, TaskRequest
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, reply
from tests.unit.agents.support import FILES, GREET_REPLY, settings_for


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.mark.slow
async def test_a_run_is_remembered_and_the_next_task_on_that_file_sees_it(
    make_repo: Callable[..., GitRepo], model_server: ModelServer
) -> None:
    repo = make_repo(FILES)
    model = "openai/alpha"
    model_server.script(model, reply(GREET_REPLY), reply(GREET_REPLY))
    service = await OrchardService.open(repo.root, settings_for(model_server, model))
    try:
        first = await service.start_task(TaskRequest("greet politely", models=(model,)))
        await service.wait(first)
        (event,) = await service.memory.past_changes(["src/app.py"])
        assert (event.task_id, event.outcome, event.model) == (first.task_id, "committed", model)
        await service.discard(first.task_id)
        (event,) = await service.memory.past_changes(["src/app.py"])
        assert event.outcome == "discarded"

        second = await service.start_task(TaskRequest("greet in app.py again", models=(model,)))
        await service.wait(second)
        prompts = [r for r in model_server.requests_for(model) if "messages" in r.body]
        text = "\n".join(str(m.get("content")) for m in prompts[-1].body["messages"])
        assert f"Past task {first.task_id}" in text
        assert "outcome: discarded" in text and "greet politely" in text
        hits = await service.search_memory("greet politely", 5)
        assert any(h.kind == "task" and h.task_id == first.task_id for h in hits)
    finally:
        await service.close()


@pytest.mark.slow
async def test_a_task_that_edits_a_file_sees_its_past_outcome_without_naming_it(
    make_repo: Callable[..., GitRepo], model_server: ModelServer
) -> None:
    repo = make_repo(FILES)
    model = "openai/beta"
    model_server.script(model, reply(GREET_REPLY), reply(GREET_REPLY))
    service = await OrchardService.open(repo.root, settings_for(model_server, model))
    try:
        first = await service.start_task(TaskRequest("greet politely", models=(model,)))
        await service.wait(first)

        request = TaskRequest("shout the greeting", models=(model,), files=("src/app.py",))
        await service.wait(await service.start_task(request))

        last = model_server.requests_for(model)[-1]
        text = "\n".join(str(m.get("content")) for m in last.messages)
        assert f"Past task {first.task_id}" in text  # from the file it edits, not its words
    finally:
        await service.close()
