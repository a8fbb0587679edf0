"""Agents started from the editor go through the same service as `orchard run`: the real server
over stdio, real git, litellm against the local model server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.conftest import add_editor_handlers
from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize, open_document, server_config, server_env
from tests.support.model_server import ModelServer, reply
from tests.unit.agents.support import ADD_REPLY, FILES

UNSAVED = "\n\ndef unsaved_only_helper(value):\n    return value * 2\n"


@pytest_lsp.fixture(config=server_config(OPENAI_API_KEY="sk-test"))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    add_editor_handlers(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], model_server: ModelServer) -> GitRepo:
    repo = make_repo(FILES)
    config = (
        f'[[models]]\nmodel = "openai/gpt-test"\napi_base = "{model_server.api_base}"\n'
        "[lint.tools]\npython = []\n"
    )
    repo.commit("orchard settings", {".orchard.toml": config})
    return repo


async def command(client: LanguageClient, name: str, argument: Any = None) -> Any:
    params = types.ExecuteCommandParams(
        command=name, arguments=[argument] if argument is not None else None
    )
    return await client.workspace_execute_command_async(params)


async def wait_for_task(client: LanguageClient, task_id: str, timeout: float = 120) -> Any:
    """Poll `orchard.showTask` until the task has ended; return its last view."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        view = await command(client, "orchard.showTask", {"task": task_id})
        if view["state"] not in ("running", "reviewing", "merging"):
            return view
        assert asyncio.get_running_loop().time() < deadline, view
        await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_an_agent_started_in_the_editor_maps_a_function_only_in_an_unsaved_buffer(
    client: LanguageClient, repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.set_default(reply(ADD_REPLY), model="gpt-test")
    await initialize(client, repo.root)
    await command(client, "orchard.repoMap", {})  # the index is built: the buffer lands on it
    util = repo.root / "src" / "util.py"
    open_document(client, util, util.read_text() + UNSAVED, "python")

    started = await command(
        client, "orchard.startTask", {"request": "make add convert its arguments to int"}
    )
    view = await wait_for_task(client, started["task"])

    assert view["state"] == "done", view
    (first, *_) = model_server.requests_for("gpt-test")
    assert "unsaved_only_helper" in json.dumps(first.messages)  # only the live map knows it
    assert "unsaved_only_helper" not in util.read_text()  # never saved, never written
    branch = view["runs"][0]["branch"]
    assert "int(a) + int(b)" in repo.git("show", f"{branch}:src/util.py")


@pytest.mark.slow
async def test_tasks_from_the_shell_and_from_the_editor_are_listed_together(
    client: LanguageClient, repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.set_default(reply(ADD_REPLY), model="gpt-test")
    shell = subprocess.run(
        [sys.executable, "-m", "orchard", "run", "from the shell", "--json"],
        cwd=repo.root,
        env=server_env(OPENAI_API_KEY="sk-test"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert shell.returncode == 0, shell.stderr
    shell_task = json.loads(shell.stdout)["task"]
    await initialize(client, repo.root)

    editor_task = (await command(client, "orchard.startTask", {"request": "from the editor"}))[
        "task"
    ]
    await wait_for_task(client, editor_task)
    listed = {task["id"]: task for task in await command(client, "orchard.listTasks")}

    assert {shell_task, editor_task} <= set(listed)
    assert listed[shell_task]["request"] == "from the shell"
    assert listed[editor_task]["request"] == "from the editor"
    assert listed[editor_task]["runs"][0]["state"] == "committed"


MALFORMED = [
    ({}, "request"),
    ({"request": 5}, "request"),
    ({"request": "x", "models": 3}, "models"),
    ({"request": "x", "agents": 0}, "agents"),
    ({"request": "x", "maxCost": -1}, "maxCost"),
    ({"request": "x", "selection": {"uri": "file:///elsewhere.py"}}, "selection"),
]


async def test_malformed_start_task_arguments_are_refused_naming_the_field(
    client: LanguageClient, repo: GitRepo
) -> None:
    await initialize(client, repo.root)

    for argument, field in MALFORMED:
        with pytest.raises(JsonRpcException) as caught:
            await command(client, "orchard.startTask", argument)
        assert field in str(caught.value), argument

    assert repo.git("for-each-ref", "refs/orchard/", "refs/heads/orchard/").strip() == ""


async def test_showing_an_unknown_task_is_an_error_naming_it(
    client: LanguageClient, repo: GitRepo
) -> None:
    await initialize(client, repo.root)

    with pytest.raises(JsonRpcException) as caught:
        await command(client, "orchard.showTask", {"task": "20990101-000000-dead"})

    assert "20990101-000000-dead" in str(caught.value)


@pytest.mark.slow
async def test_an_agent_shows_as_progress_and_the_clients_cancel_cancels_it(
    client: LanguageClient, repo: GitRepo, model_server: ModelServer
) -> None:
    slow = reply(ADD_REPLY * 40, chunk_chars=4, chunk_delay=0.05)  # a minute of streaming
    model_server.set_default(slow, model="gpt-test")
    await initialize(client, repo.root)

    started = await command(client, "orchard.startTask", {"request": "take your time"})
    assert model_server.wait_for(lambda s: bool(s.requests_for("gpt-test")), timeout=120)
    token = await progress_titled(client, f"Orchard {started['task']} ")
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    view = await wait_for_task(client, started["task"])

    assert view["state"] == "cancelled"
    assert view["runs"][0]["state"] == "cancelled"
    assert await asyncio.to_thread(model_server.wait_for_disconnect, 30)  # the stream closed
    begin, *_, end = client.progress_reports[token]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.cancellable
    assert isinstance(end, types.WorkDoneProgressEnd) and "cancelled" in (end.message or "")


async def progress_titled(client: LanguageClient, title: str, timeout: float = 60) -> Any:
    """Wait for a progress whose title begins with `title`; return its token."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for token, reports in client.progress_reports.items():
            first = reports[0] if reports else None
            if isinstance(first, types.WorkDoneProgressBegin) and first.title.startswith(title):
                return token
        await asyncio.sleep(0.1)
    raise AssertionError(f"no progress titled {title!r}")
