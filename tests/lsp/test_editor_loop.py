"""The editor loop through the real `orchard serve` over stdio: code actions, per-agent progress,
`orchard/taskChanged`, malformed command arguments, a killed client's task resumed. Agents talk
to the local model server through litellm; git is real."""

from __future__ import annotations

import asyncio
import json
import os
import signal
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
from tests.lsp.editor_client import Buffers, editor_buffers, json_request
from tests.lsp.test_tasks import command, progress_titled, wait_for_task
from tests.support.gitrepo import GitRepo
from tests.support.lsp import CAPABILITY_SETS, initialize, server_config, server_env
from tests.support.model_server import ModelServer, drip, reply
from tests.unit.agents.support import ADD_REPLY, FILES, GREET_REPLY

AI_TEXT = (
    "def add(a, b):\n    # convert both arguments with int() before adding AI!\n    return a + b\n"
)


@pytest_lsp.fixture(config=server_config(OPENAI_API_KEY="sk-test"))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    add_editor_handlers(lsp_client, apply_edit=False)
    lsp_client.buffers = editor_buffers(lsp_client)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def buffers(client: LanguageClient) -> Buffers:
    return client.buffers  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], model_server: ModelServer) -> GitRepo:
    repo = make_repo(FILES)
    base = model_server.api_base
    config = (
        f'[[models]]\nmodel = "openai/gpt-test"\napi_base = "{base}"\n'
        f'[[models]]\nmodel = "openai/gpt-other"\napi_base = "{base}"\n'
        "[lint.tools]\npython = []\n"
    )
    repo.commit("orchard settings", {".orchard.toml": config})
    return repo


async def code_actions(
    client: LanguageClient, uri: str, line: int, diagnostics: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Ask for code actions at `line` and return them as the raw JSON an editor receives."""
    params = {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
        "context": {"diagnostics": diagnostics or [], "triggerKind": 1},
    }
    return await json_request(client, "textDocument/codeAction", params)  # type: ignore[no-any-return]


def titled(actions: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    found = [a for a in actions if a["title"].startswith(prefix)]
    assert found, [a["title"] for a in actions]
    return found[0]


@pytest.mark.parametrize("editor", CAPABILITY_SETS)
async def test_code_actions_offer_agents_on_a_selection_an_ai_comment_and_a_diagnostic(
    client: LanguageClient, buffers: Buffers, repo: GitRepo, editor: str
) -> None:
    await initialize(client, repo.root, editor)
    uri = buffers.open(repo.root / "src" / "util.py", AI_TEXT)
    diagnostic = {
        "range": {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 16}},
        "message": "returns the wrong type",
        "source": "mypy",
        "severity": 1,
    }

    actions = await code_actions(client, uri, 2, [diagnostic])

    send = titled(actions, "Orchard: send agents…")
    assert send["kind"] == "refactor.rewrite"
    assert send["command"]["command"] == "orchard.startTask"
    (argument,) = send["command"]["arguments"]
    assert "request" not in argument  # the client asks for it
    assert argument["selection"]["uri"] == uri
    ai = titled(actions, "Orchard: send agents: convert both arguments with int()")
    assert "edit" not in ai and ai["data"]  # resolved lazily: the client supports it
    resolved = await json_request(client, "codeAction/resolve", ai)
    (ai_argument,) = resolved["command"]["arguments"]
    assert ai_argument["request"] == "convert both arguments with int() before adding"
    removal = _only_text_edit(resolved["edit"], uri)
    assert removal["range"]["start"] == {"line": 1, "character": 0}
    assert removal["range"]["end"] == {"line": 2, "character": 0}
    assert removal["newText"] == ""
    fix = titled(actions, "Orchard: fix with an agent")
    assert fix["kind"] == "quickfix"
    (fix_argument,) = fix["command"]["arguments"]
    assert "mypy" in fix_argument["request"] and "src/util.py:3:5" in fix_argument["request"]
    assert "returns the wrong type" in fix_argument["request"]


def _only_text_edit(edit: dict[str, Any], uri: str) -> dict[str, Any]:
    if edit.get("documentChanges"):
        (change,) = edit["documentChanges"]
        assert change["textDocument"]["uri"] == uri
        (text_edit,) = change["edits"]
        return text_edit  # type: ignore[no-any-return]
    (text_edit,) = edit["changes"][uri]
    return text_edit  # type: ignore[no-any-return]


async def test_an_ai_comment_just_above_the_cursor_in_another_language_is_offered(
    client: LanguageClient, buffers: Buffers, repo: GitRepo
) -> None:
    await initialize(client, repo.root)
    text = "function add(a, b) {\n  // use Number() on both AI!\n  return a + b;\n}\n"
    uri = buffers.open(repo.root / "src" / "add.js", text, "javascript")

    actions = await code_actions(client, uri, 2)

    titled(actions, "Orchard: send agents: use Number() on both")
    assert not [a for a in await code_actions(client, uri, 0) if "Number" in a["title"]]


MALFORMED = [
    ("orchard.acceptAgent", {}, "task"),
    ("orchard.acceptAgent", {"task": 5}, "task"),
    ("orchard.acceptAgent", {"task": "t", "agent": ["a"]}, "agent"),
    ("orchard.agentDiff", {"task": "t"}, "agent"),
    ("orchard.cancelTask", {}, "task"),
    ("orchard.discardTask", {"task": ""}, "task"),
    ("orchard.review", {"base": 3}, "base"),
    ("orchard.showTask", {"task": None}, "task"),
]


async def test_malformed_editor_loop_arguments_are_refused_naming_the_field(
    client: LanguageClient, repo: GitRepo
) -> None:
    result = await initialize(client, repo.root)
    listed = set(result.capabilities.execute_command_provider.commands)  # type: ignore[union-attr]
    assert {"orchard.acceptAgent", "orchard.agentDiff", "orchard.review"} <= listed

    for name, argument, field in MALFORMED:
        with pytest.raises(JsonRpcException) as caught:
            await command(client, name, argument)
        assert f"`{field}`" in str(caught.value), (name, argument)
    with pytest.raises(JsonRpcException) as caught:
        params = types.ExecuteCommandParams(command="orchard.acceptAgent", arguments=[{}, {}])
        await client.workspace_execute_command_async(params)
    assert "one object argument" in str(caught.value)
