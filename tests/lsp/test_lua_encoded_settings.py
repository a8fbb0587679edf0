"""Settings as Neovim's Lua encodes them: an empty table `{}` arrives as JSON `[]`."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize


async def test_empty_arrays_where_tables_are_expected_are_empty_tables(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    # settings = { orchard = { lint = { tools = {} }, repomap = {}, retry = { maxAttempts = 2 } } }
    client.set_configuration(
        {"lint": {"tools": []}, "repomap": [], "retry": {"maxAttempts": 2}}, section="orchard"
    )
    await initialize(client, git_repo.root, "neovim@v0.11.0", initialization_options=[])

    async def settings() -> dict:
        return await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="orchard.showSettings")
        )

    for _ in range(100):  # the editor's section is pulled after `initialized`
        answer = await settings()
        if answer["retry"]["max_attempts"] == 2:
            break
        await asyncio.sleep(0.05)
    assert answer["retry"]["max_attempts"] == 2
    assert answer["lint"]["tools"] == {}
    assert answer["repomap"]["map_tokens"] == 1024
    errors = [m for m in client.messages if m.type == types.MessageType.Error]
    assert errors == []


async def test_settings_section_sent_as_empty_array_is_no_error(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options={"orchard": []})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=[]))
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="orchard.showSettings")
    )
    assert answer["models"] == []
    assert [m for m in client.messages if m.type == types.MessageType.Error] == []
