"""`orchard tasks push TASK [AGENT] [--remote] [--branch] [--pr] [--draft] [--json]` through the
real command (main()): a real agent run against the local model server, then its branch pushed
to a bare repository and a pull request opened on a 127.0.0.1 stand-in for GitHub's API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchard.cli import main
from tests.support.forge_server import ForgeServer
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, reply
from tests.support.seeded_tasks import bare_remote, clone_of, seed_task
from tests.unit.agents.support import ADD_REPLY, FILES


@pytest.fixture
def forge(monkeypatch: pytest.MonkeyPatch) -> Iterator[ForgeServer]:
    with ForgeServer() as server:
        monkeypatch.setenv("GITHUB_API_URL", server.url)
        monkeypatch.setenv("GITHUB_TOKEN", "tok-cli")
        yield server


@pytest.fixture
def remote(tmp_path: Path) -> GitRepo:
    return bare_remote(tmp_path / "widgets.git")


def with_remote(repo: GitRepo, remote: GitRepo) -> GitRepo:
    repo.git("remote", "add", "origin", "git@github.com:acme/widgets.git")
    repo.git("config", "remote.origin.pushurl", str(remote.root))
    return repo


@pytest.mark.slow
def test_an_agents_run_is_pushed_and_opened_as_a_draft_pull_request(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    remote: GitRepo,
    forge: ForgeServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    model_server.set_default(reply(ADD_REPLY), model="coder")
    config = (
        f"[[models]]\nmodel = 'openai/coder'\napi_base = '{model_server.api_base}'\n"
        "[retry]\nmax_attempts = 1\n[lint.tools]\npython = []\n"
    )
    repo = with_remote(make_repo({**FILES, ".orchard.toml": config}), remote)
    assert main(["run", "make add convert to int", "--json", "--root", str(repo.root)]) == 0
    task = json.loads(capsys.readouterr().out)["task"]

    code = main(["tasks", "push", task, "--draft", "--json", "--root", str(repo.root)])

    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["pushed"] is True and out["agent"] == "a1-coder"
    assert out["pr_url"] == "https://github.example/acme/widgets/pull/7"
    branch = f"orchard/{task}-a1-coder"
    assert "int(a) + int(b)" in remote.git("show", f"{branch}:src/util.py")
    (sent,) = forge.requests
    assert sent.body["draft"] is True and sent.body["head"] == branch
    assert sent.body["title"] == "make add convert to int"
    assert "| tokens |" in sent.body["body"]


def test_push_prints_where_the_branch_went(
    make_repo: Callable[..., GitRepo], remote: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = with_remote(make_repo(FILES), remote)
    task = seed_task(repo)

    code = main(["tasks", "push", task, "a1", "--branch", "review/int-add", "--root",
                 str(repo.root)])  # fmt: skip

    out = capsys.readouterr().out
    assert code == 0 and "review/int-add" in out and "new branch" in out
    assert (
        remote.git("rev-parse", "review/int-add").strip()
        == repo.git("rev-parse", f"orchard/{task}/a1").strip()
    )


def test_a_rejected_push_exits_1_with_a_plain_message(
    make_repo: Callable[..., GitRepo],
    remote: GitRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = with_remote(make_repo(FILES), remote)
    task = seed_task(repo)
    other = clone_of(remote, tmp_path / "colleague")
    other.commit("theirs", {"x.txt": "x\n"})
    other.git("push", "-q", "origin", f"HEAD:refs/heads/orchard/{task}-a1")

    code = main(["tasks", "push", task, "--root", str(repo.root)])

    err = capsys.readouterr().err
    assert code == 1 and err.startswith("orchard tasks: push rejected")
    assert "Traceback" not in err


def test_push_without_a_task_is_a_usage_error(
    make_repo: Callable[..., GitRepo], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(FILES)

    assert main(["tasks", "push", "--root", str(repo.root)]) == 2
    assert "which task" in capsys.readouterr().err
