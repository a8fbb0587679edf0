"""Publishing an agent's result through the service: real git pushing to a local bare repository,
and a local HTTP server on 127.0.0.1 standing in for the GitHub (or GitLab) API, which records
the path, the Authorization header and the JSON body of what Orchard sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from orchard.config import PublishSettings, Settings
from orchard.errors import ForgeError, MissingToken, PushRejected, ResultNotChosen, TaskNotFound
from orchard.service import OrchardService
from orchard.vcs.push import PushFailure
from tests.support.forge_server import ForgeServer
from tests.support.gitrepo import GitRepo
from tests.support.seeded_tasks import bare_remote, clone_of, seed_task
from tests.unit.agents.support import FILES

REQUEST = "make add convert its arguments to int"


@pytest.fixture
def forge(monkeypatch: pytest.MonkeyPatch) -> Iterator[ForgeServer]:
    with ForgeServer() as server:
        monkeypatch.setenv("GITHUB_API_URL", server.url)
        monkeypatch.setenv("GITHUB_TOKEN", "tok-123")
        monkeypatch.delenv("GH_TOKEN", raising=False)
        yield server


@pytest.fixture
def remote(tmp_path: Path) -> GitRepo:
    return bare_remote(tmp_path / "remotes" / "widgets.git")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], remote: GitRepo) -> GitRepo:
    """The user's repository: fetches from GitHub's address, pushes to the local bare remote."""
    repo = make_repo(FILES)
    repo.git("remote", "add", "origin", "https://github.com/acme/widgets.git")
    repo.git("config", "remote.origin.pushurl", str(remote.root))
    return repo


@pytest.fixture
async def service(repo: GitRepo) -> AsyncIterator[OrchardService]:
    opened = await OrchardService.open(repo.root, Settings())
    try:
        yield opened
    finally:
        await opened.close()


def remote_branches(remote: GitRepo) -> dict[str, str]:
    lines = remote.git("for-each-ref", "--format=%(refname) %(objectname)").splitlines()
    return dict(line.split(" ") for line in lines)


def agent_commit(repo: GitRepo, task: str, agent: str = "a1") -> str:
    return repo.git("rev-parse", f"orchard/{task}/{agent}").strip()


async def test_push_puts_only_the_agents_commit_on_the_remote_under_a_readable_name(
    repo: GitRepo, remote: GitRepo, service: OrchardService
) -> None:
    task = seed_task(repo, REQUEST)
    head, status = repo.head(), repo.git("status", "--porcelain")

    result = await service.publish(task)

    assert (result.agent, result.branch, result.remote) == ("a1", f"orchard/{task}-a1", "origin")
    assert result.pushed and result.created and not result.forced and result.pr_url is None
    assert remote_branches(remote) == {f"refs/heads/orchard/{task}-a1": agent_commit(repo, task)}
    assert (repo.head(), repo.git("status", "--porcelain")) == (head, status)  # user untouched
    view = await service.show_task(task, events=True)
    (published,) = [e for e in view["events"][f"{task}/a1"] if e["kind"] == "published"]
    assert published["data"]["created"] is True
    assert published["data"]["branch"] == result.branch


async def test_push_with_pr_opens_a_pull_request_holding_the_request(
    repo: GitRepo, service: OrchardService, forge: ForgeServer
) -> None:
    task = seed_task(repo, REQUEST)

    result = await service.publish(task, pr=True)

    (sent,) = forge.requests
    assert sent.method == "POST" and sent.path == "/api/v3/repos/acme/widgets/pulls"
    assert sent.headers["authorization"] == "Bearer tok-123"
    assert sent.body["head"] == f"orchard/{task}-a1" and sent.body["base"] == "main"
    assert sent.body["title"] == REQUEST and sent.body["draft"] is False
    assert REQUEST in sent.body["body"] and "## Checks" in sent.body["body"]
    assert result.pr_url == "https://github.example/acme/widgets/pull/7"
    assert result.to_json()["pr_url"] == result.pr_url


async def test_draft_pull_request_is_asked_for_as_a_draft(
    repo: GitRepo, service: OrchardService, forge: ForgeServer
) -> None:
    task = seed_task(repo, REQUEST)

    result = await service.publish(task, pr=True, draft=True)

    assert forge.requests[0].body["draft"] is True
    assert result.pull_request is not None and result.pull_request.draft


async def test_a_push_onto_someone_elses_commits_is_rejected_and_theirs_stay(
    repo: GitRepo, remote: GitRepo, service: OrchardService, tmp_path: Path
) -> None:
    task = seed_task(repo, REQUEST)
    other = clone_of(remote, tmp_path / "colleague")
    other.commit("their work", {"theirs.txt": "mine\n"})
    other.git("push", "-q", "origin", f"HEAD:refs/heads/orchard/{task}-a1")
    theirs = other.head()

    with pytest.raises(PushRejected) as caught:
        await service.publish(task)

    assert caught.value.reason == PushFailure.NON_FAST_FORWARD
    assert "--branch" in str(caught.value)
    assert remote_branches(remote)[f"refs/heads/orchard/{task}-a1"] == theirs


async def test_a_branch_orchard_did_not_create_is_never_pushed_to_even_as_a_fast_forward(
    repo: GitRepo, remote: GitRepo, service: OrchardService
) -> None:
    repo.git("push", "-q", str(remote.root), "main")  # the remote's main is the user's HEAD
    task = seed_task(repo, REQUEST)

    with pytest.raises(PushRejected) as caught:
        await service.publish(task, branch="main")

    assert caught.value.reason == PushFailure.NON_FAST_FORWARD
    assert remote_branches(remote) == {"refs/heads/main": repo.head()}


async def test_orchard_replaces_only_a_branch_it_created_and_not_once_someone_pushed_to_it(
    repo: GitRepo, remote: GitRepo, service: OrchardService, tmp_path: Path
) -> None:
    task = seed_task(repo, REQUEST)
    await service.publish(task)
    repo.git("branch", "-f", f"orchard/{task}/a1", f"orchard/{task}/a1~1")  # the agent redid it

    again = await service.publish(task)

    assert again.forced and not again.created
    assert remote_branches(remote)[f"refs/heads/orchard/{task}-a1"] == agent_commit(repo, task)
    other = clone_of(remote, tmp_path / "colleague")
    other.git("checkout", "-q", "-b", "x", f"origin/orchard/{task}-a1")
    other.commit("their fix on top", {"theirs.txt": "mine\n"})
    other.git("push", "-q", "origin", f"HEAD:refs/heads/orchard/{task}-a1")
    repo.git("commit", "--allow-empty", "-q", "-m", "user")  # a different agent commit to push
    repo.git("branch", "-f", f"orchard/{task}/a1", "HEAD")
    with pytest.raises(PushRejected) as caught:
        await service.publish(task)
    assert caught.value.reason == PushFailure.NON_FAST_FORWARD
    assert remote_branches(remote)[f"refs/heads/orchard/{task}-a1"] == other.head()


async def test_a_missing_token_fails_before_anything_is_pushed(
    repo: GitRepo, remote: GitRepo, service: OrchardService, forge: ForgeServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    task = seed_task(repo, REQUEST)
    monkeypatch.delenv("GITHUB_TOKEN")

    with pytest.raises(MissingToken) as caught:
        await service.publish(task, pr=True)

    assert "GITHUB_TOKEN" in str(caught.value) and "GH_TOKEN" in str(caught.value)
    assert remote_branches(remote) == {} and forge.requests == []


async def test_gh_token_is_used_when_github_token_is_not_set(
    repo: GitRepo, service: OrchardService, forge: ForgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = seed_task(repo, REQUEST)
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GH_TOKEN", "gh-456")

    await service.publish(task, pr=True)

    assert forge.requests[0].headers["authorization"] == "Bearer gh-456"


@pytest.mark.parametrize(
    ("status", "answer", "said"),
    [
        (401, {"message": "Bad credentials"}, "Bad credentials"),
        (
            422,
            {
                "message": "Validation Failed",
                "errors": [{"message": "A pull request exists"}],
            },
            "A pull request exists",
        ),
    ],
)
async def test_api_refusals_carry_the_forges_message_and_are_not_retried(
    repo: GitRepo, remote: GitRepo, service: OrchardService, forge: ForgeServer,
    status: int, answer: dict[str, object], said: str,
) -> None:  # fmt: skip
    task = seed_task(repo, REQUEST)
    forge.script((status, answer))

    with pytest.raises(ForgeError) as caught:
        await service.publish(task, pr=True)

    assert caught.value.status == status and said in str(caught.value)
    assert len(forge.requests) == 1  # never retried
    assert f"refs/heads/orchard/{task}-a1" in remote_branches(remote)  # the push stands
    assert f"orchard/{task}-a1" in str(caught.value)  # and the message says so


async def test_a_server_error_is_tried_once_more(
    repo: GitRepo, service: OrchardService, forge: ForgeServer
) -> None:
    task = seed_task(repo, REQUEST)
    forge.script((502, {"message": "Server Error"}))

    result = await service.publish(task, pr=True)

    assert len(forge.requests) == 2 and result.pr_url is not None


async def test_owner_and_repo_come_from_the_url_git_rewrites_with_insteadof(
    repo: GitRepo, service: OrchardService, forge: ForgeServer
) -> None:
    repo.git("remote", "set-url", "origin", "gh:octo-org/gadgets")
    repo.git("config", "url.https://github.com/.insteadOf", "gh:")
    task = seed_task(repo, REQUEST)

    await service.publish(task, pr=True)

    assert forge.requests[0].path == "/api/v3/repos/octo-org/gadgets/pulls"


async def test_an_unknown_remote_is_refused_naming_the_remotes(
    repo: GitRepo, remote: GitRepo, service: OrchardService
) -> None:
    task = seed_task(repo, REQUEST)

    with pytest.raises(PushRejected) as caught:
        await service.publish(task, remote="upstream")

    assert caught.value.reason == PushFailure.NO_REMOTE
    assert "upstream" in str(caught.value) and "origin" in str(caught.value)
    assert remote_branches(remote) == {}


async def test_a_branch_the_remote_declines_is_reported_as_declined(
    repo: GitRepo, remote: GitRepo, service: OrchardService
) -> None:
    hook = remote.root / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected namespace' >&2\nexit 1\n")
    hook.chmod(0o755)
    task = seed_task(repo, REQUEST)

    with pytest.raises(PushRejected) as caught:
        await service.publish(task, branch="release/ready")

    assert caught.value.reason == PushFailure.DECLINED
    assert remote_branches(remote) == {}


async def test_the_agent_is_the_only_committed_one_or_must_be_named(
    repo: GitRepo, remote: GitRepo, service: OrchardService
) -> None:
    two = seed_task(repo, REQUEST, {"a1": {"x.txt": "1\n"}, "a2": {"x.txt": "2\n"}}, ["a3"])

    with pytest.raises(ResultNotChosen) as several:
        await service.publish(two)
    with pytest.raises(TaskNotFound):
        await service.publish(two, "zz")
    with pytest.raises(ResultNotChosen):
        await service.publish(two, "a3")
    named = await service.publish(two, "a2", branch="try/a2")

    assert "a1" in str(several.value) and "a2" in str(several.value)
    assert remote_branches(remote) == {"refs/heads/try/a2": agent_commit(repo, two, "a2")}
    assert named.agent == "a2"


async def test_gitlab_merge_requests_go_through_the_same_interface(
    repo: GitRepo, forge: ForgeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.git("remote", "set-url", "origin", "git@gitlab.example.com:acme/tools/widgets.git")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-1")
    settings = Settings(publish=PublishSettings(api_url=forge.url))
    task = seed_task(repo, REQUEST)
    service = await OrchardService.open(repo.root, settings)
    try:
        result = await service.publish(task, pr=True, draft=True)
    finally:
        await service.close()

    (sent,) = forge.requests
    assert sent.path == "/api/v3/projects/acme%2Ftools%2Fwidgets/merge_requests"
    assert sent.headers["private-token"] == "glpat-1"
    assert sent.body["source_branch"] == f"orchard/{task}-a1"
    assert sent.body["title"] == f"Draft: {REQUEST}"
    assert result.pr_url == "https://gitlab.example/acme/widgets/-/merge_requests/7"


async def test_the_pull_request_goes_into_the_branch_the_task_began_on(
    repo: GitRepo, service: OrchardService, forge: ForgeServer
) -> None:
    repo.branch("feature/cli", checkout=True)
    task = seed_task(repo, REQUEST)

    await service.publish(task, pr=True)

    assert forge.requests[0].body["base"] == "feature/cli"


async def test_from_a_detached_head_the_pull_request_goes_into_the_remotes_default_branch(
    repo: GitRepo, remote: GitRepo, service: OrchardService, forge: ForgeServer
) -> None:
    repo.git("push", "-q", str(remote.root), "HEAD:refs/heads/trunk")
    remote.git("symbolic-ref", "HEAD", "refs/heads/trunk")
    repo.git("checkout", "-q", "--detach")
    task = seed_task(repo, REQUEST)

    await service.publish(task, pr=True)
    await service.publish(task, branch="second", pr=True, base="release")

    assert [r.body["base"] for r in forge.requests] == ["trunk", "release"]
