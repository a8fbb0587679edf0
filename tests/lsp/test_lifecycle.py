"""The server's lifecycle over stdio with the VS Code, Neovim 0.7 and Neovim 0.11 capabilities."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp import LanguageClient

from tests.support.gitrepo import GitRepo
from tests.support.lsp import CAPABILITY_SETS, initialize, send_raw_body, send_raw_request


@pytest.mark.parametrize("capabilities", CAPABILITY_SETS)
async def test_initialize_and_shutdown_with_each_editor(
    client: LanguageClient, git_repo: GitRepo, capabilities: str
) -> None:
    result = await initialize(client, git_repo.root, capabilities)

    assert result.server_info is not None and result.server_info.name == "orchard"
    sync = result.capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert sync.open_close is True
    commands = result.capabilities.execute_command_provider
    assert commands is not None and "orchard.showSettings" in commands.commands

    await client.shutdown_async(None)
    client.exit(None)
    assert client._server is not None
    assert await asyncio.wait_for(client._server.wait(), 10) == 0
    client.capabilities = None  # the session is over: the fixture must not shut down again


@pytest.mark.parametrize("capabilities", CAPABILITY_SETS)
async def test_malformed_request_gets_invalid_params_error(
    client: LanguageClient, git_repo: GitRepo, capabilities: str
) -> None:
    await initialize(client, git_repo.root, capabilities)

    with pytest.raises(JsonRpcInvalidParams) as caught:
        await send_raw_request(client, "textDocument/codeAction", {"textDocument": 5})

    assert "textDocument/codeAction" in str(caught.value)
    # the server is still there and answers the next request
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="orchard.showSettings")
    )
    assert answer["retry"]["max_attempts"] == 6


async def test_bad_initialization_option_is_reported_once_and_defaults_apply(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    options = {"retry": {"maxAttempts": "many", "timeoutSeconds": 30}, "apiKey": "sk-secret"}
    await initialize(client, git_repo.root, initialization_options=options)

    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="orchard.showSettings")
    )
    assert answer["retry"]["max_attempts"] == 6
    assert answer["retry"]["timeout_seconds"] == 30.0
    errors = [m.message for m in client.messages if m.type == types.MessageType.Error]
    assert len(errors) == 1
    assert "retry.max_attempts" in errors[0] and "expected a whole number" in errors[0]
    assert "api_key" in errors[0] and "sk-secret" not in errors[0]


async def test_editor_settings_override_files_and_follow_changes(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    git_repo.write(".orchard.toml", "[repomap]\nmap_tokens = 2048\nmax_file_bytes = 5000\n")
    client.set_configuration({"repomap": {"mapTokens": 4096}}, section="orchard")
    await initialize(client, git_repo.root)

    async def settings() -> dict:
        return await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="orchard.showSettings")
        )

    for _ in range(100):  # the server pulls the editor's settings after `initialized`
        first = await settings()
        if first["repomap"]["map_tokens"] != 2048:
            break
        await asyncio.sleep(0.05)
    assert first["repomap"] == {"map_tokens": 4096, "max_file_bytes": 5000, "exclude": []}

    client.set_configuration({"repomap": {"mapTokens": 512}}, section="orchard")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(100):
        if (await settings())["repomap"]["map_tokens"] == 512:
            break
        await asyncio.sleep(0.05)
    assert (await settings())["repomap"]["map_tokens"] == 512


async def test_server_without_workspace_uses_defaults(client: LanguageClient) -> None:
    await initialize(client, None)
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="orchard.showSettings")
    )
    assert answer["models"] == []


async def test_body_that_is_not_json_gets_parse_error_and_server_goes_on(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root)
    await send_raw_body(client, b"{not json")
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="orchard.showSettings")
    )
    assert answer["agents"]["max_reflections"] == 3


def test_capability_sets_are_distinct() -> None:
    from pytest_lsp import client_capabilities

    caps = [client_capabilities(name) for name in CAPABILITY_SETS]
    assert len({repr(c) for c in caps}) == len(CAPABILITY_SETS)
