"""git push failures that never reach a ref, classified by Orchard from git's own behaviour: a
remote that wants credentials git does not have (a 127.0.0.1 server answering 401), and a port
nobody listens on."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from orchard.errors import PushRejected
from orchard.vcs.push import PushFailure, push_commit
from tests.support.forge_server import ForgeServer
from tests.support.gitrepo import GitRepo


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_remote_that_refuses_credentials_is_an_auth_failure(
    make_repo: Callable[..., GitRepo], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")  # no credential helper of this machine
    with ForgeServer(default=(401, {"message": "Requires authentication"})) as server:
        repo.git("remote", "add", "origin", server.url.replace("/api/v3", "/acme/widgets.git"))

        with pytest.raises(PushRejected) as caught:
            push_commit(repo.root, "origin", repo.head(), "orchard/t-a1")

    assert caught.value.reason == PushFailure.AUTH
    assert server.requests and server.requests[0].path.startswith("/acme/widgets.git/info/refs")


def test_a_remote_nobody_answers_is_unreachable(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.git("remote", "add", "origin", f"http://127.0.0.1:{closed_port()}/acme/widgets.git")

    with pytest.raises(PushRejected) as caught:
        push_commit(repo.root, "origin", repo.head(), "orchard/t-a1")

    assert caught.value.reason == PushFailure.UNREACHABLE
