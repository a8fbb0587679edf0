"""`orchard.searchMemory` through the real server: hits with Locations, unsaved buffers fed in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize, open_document
from tests.unit.memory.conftest import FIXTURE_FILES, RETRY


async def command(client: LanguageClient, argument: Any) -> Any:
    params = types.ExecuteCommandParams(command="orchard.searchMemory", arguments=[argument])
    return await client.workspace_execute_command_async(params)


@pytest.mark.slow
async def test_search_memory_answers_with_locations_and_sees_unsaved_buffers(
    client: LanguageClient, make_repo: Callable[..., GitRepo]
) -> None:
    repo = make_repo(FIXTURE_FILES)
    await initialize(client, repo.root)
    retry = repo.root / "src" / "retry.py"
    buffer = RETRY + "\n\ndef jittered_sleep_budget(seconds):\n    return seconds / 2\n"
    uri = open_document(client, retry, buffer, "python")
    deadline = asyncio.get_running_loop().time() + 120
    while True:  # the buffer is indexed a moment after it stops changing
        hits = await command(client, {"query": "jittered sleep budget", "limit": 3})
        if hits and hits[0].get("name") == "jittered_sleep_budget":
            break
        assert asyncio.get_running_loop().time() < deadline, hits
        await asyncio.sleep(0.3)
    top = hits[0]
    assert top["uri"] == uri
    line = buffer.splitlines().index("def jittered_sleep_budget(seconds):")
    assert top["range"]["start"] == {"line": line, "character": 0}
    assert top["range"]["end"] == {"line": line + 2, "character": 0}
    assert "jittered_sleep_budget" not in retry.read_text()  # never written to disk


async def test_search_memory_refuses_a_missing_query(
    client: LanguageClient, make_repo: Callable[..., GitRepo]
) -> None:
    repo = make_repo()
    await initialize(client, repo.root)
    with pytest.raises(JsonRpcException, match="query"):
        await command(client, {"limit": 3})
