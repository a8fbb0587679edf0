"""`orchard.publishAgent` through the real server over stdio: an agent's branch pushed to a bare
repository and its pull request opened on a 127.0.0.1 stand-in for GitHub's API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.conftest import add_editor_handlers
from tests.support.forge_server import ForgeServer
from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize, server_config
from tests.support.seeded_tasks import bare_remote, seed_task
from tests.unit.agents.support import FILES

PUBLISH = "orchard.publishAgent"


@pytest_lsp.fixture(config=server_config(GITHUB_TOKEN="tok-lsp", GH_TOKEN=""))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    add_editor_handlers(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def forge() -> Iterator[ForgeServer]:
    with ForgeServer() as server:
        yield server


@pytest.fixture
def remote(tmp_path: Path) -> GitRepo:
    return bare_remote(tmp_path / "widgets.git")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], remote: GitRepo, forge: ForgeServer) -> GitRepo:
    """Fetches from GitHub's address, pushes to the bare remote; the API base is a setting."""
    repo = make_repo({**FILES, ".orchard.toml": f'[publish]\napi_url = "{forge.url}"\n'})
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.git("config", "remote.origin.pushurl", str(remote.root))
    return repo


async def command(client: LanguageClient, argument: Any) -> Any:
    params = types.ExecuteCommandParams(command=PUBLISH, arguments=[argument])
    return await client.workspace_execute_command_async(params)


async def test_publish_agent_pushes_and_opens_a_pull_request(
    client: LanguageClient, repo: GitRepo, remote: GitRepo, forge: ForgeServer
) -> None:
    task = seed_task(repo, "make add convert its arguments to int")
    result = await initialize(client, repo.root)
    provider = result.capabilities.execute_command_provider
    assert provider is not None and PUBLISH in provider.commands

    answer = await command(client, {"task": task, "pr": True})

    branch = f"orchard/{task}-a1"
    assert answer["pushed"] is True and answer["branch"] == branch and answer["agent"] == "a1"
    assert answer["pr_url"] == "https://github.example/acme/widgets/pull/7"
    pushed = remote.git("rev-parse", branch).strip()
    assert pushed == repo.git("rev-parse", f"orchard/{task}/a1").strip()
    (sent,) = forge.requests
    assert sent.path == "/api/v3/repos/acme/widgets/pulls"
    assert sent.headers["authorization"] == "Bearer tok-lsp"
    assert sent.body["head"] == branch and sent.body["draft"] is False


@pytest.mark.parametrize(("argument", "field"), [({}, "task"), ({"task": "t", "pr": "yes"}, "pr")])
async def test_malformed_publish_arguments_are_refused_naming_the_field(
    client: LanguageClient, repo: GitRepo, argument: dict[str, Any], field: str
) -> None:
    await initialize(client, repo.root)

    with pytest.raises(JsonRpcException) as caught:
        await command(client, argument)

    assert field in str(caught.value)


async def test_a_push_to_a_missing_remote_comes_back_as_a_plain_error(
    client: LanguageClient, repo: GitRepo, remote: GitRepo, forge: ForgeServer
) -> None:
    task = seed_task(repo)
    await initialize(client, repo.root)

    with pytest.raises(JsonRpcException) as caught:
        await command(client, {"task": task, "remote": "upstream", "pr": True})

    assert "upstream" in str(caught.value) and "origin" in str(caught.value)
    assert remote.git("for-each-ref").strip() == "" and forge.requests == []
