"""`orchard tasks accept` and `orchard run --apply` through main(): exit codes, the lines listing
conflicts as file:line, JSON, and the final table's suggestion, against real git and the local
model server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from orchard.cli import main
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, reply
from tests.unit.agents.support import edit_block

APP = "def greet(name):\n    return f'hello {name}'\n\n\ndef farewell(name):\n    return 'bye'\n"
GREET = edit_block("src/app.py", "    return f'hello {name}'\n", "    return f'Hello, {name}!'\n")
ADD = edit_block("src/app.py", "    return 'bye'\n", "    return 'bye now'\n")


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], model_server: ModelServer) -> GitRepo:
    config = (
        "[[models]]\nmodel = 'openai/coder'\n"
        f"api_base = '{model_server.api_base}'\n"
        "[retry]\nmax_attempts = 1\n"
        "[lint.tools]\npython = []\n"
    )
    return make_repo({"src/app.py": APP, ".orchard.toml": config})


def run_json(repo: GitRepo, capsys: pytest.CaptureFixture[str], *flags: str) -> dict[str, object]:
    code = main(["run", "greet politely", *flags, "--json", "--root", str(repo.root)])
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    assert code == 0, data
    return data


def test_run_table_suggests_tasks_accept_and_accept_merges_cleanly(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply(GREET), model="coder")
    code = main(["run", "greet politely", "--model", "openai/coder", "--root", str(repo.root)])
    out = capsys.readouterr().out
    assert code == 0
    task = next(w for w in out.split() if w.count("-") == 2 and w[:8].isdigit())
    assert f"orchard tasks accept {task}" in out and "git merge" not in out
    repo.write("src/app.py", APP.replace("'bye'", "'see you'"))  # the user moved on
    code = main(["tasks", "accept", task, "--root", str(repo.root)])
    out = capsys.readouterr().out
    assert code == 0
    assert "wrote    src/app.py" in out
    text = (repo.root / "src/app.py").read_text()
    assert "Hello, {name}!" in text and "see you" in text


def test_accept_exits_1_listing_each_conflict_as_file_and_line(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply(GREET), model="coder")
    task = run_json(repo, capsys, "--model", "openai/coder")["task"]
    repo.write("src/app.py", APP.replace("hello {name}", "hey {name}"))
    code = main(["tasks", "accept", str(task), "--root", str(repo.root)])
    out = capsys.readouterr().out
    assert code == 1
    assert "src/app.py:2: conflict markers" in out
    assert (repo.root / "src/app.py").read_text().splitlines()[1] == "<<<<<<< yours"


def test_accept_json_names_the_agent_and_the_conflicts(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply(GREET), model="coder")
    data = run_json(repo, capsys, "--model", "openai/coder")
    (agent,) = [a["agent"] for a in data["agents"]]  # type: ignore[attr-defined]
    code = main(["tasks", "accept", str(data["task"]), agent, "--json", "--root", str(repo.root)])
    accepted = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (accepted["agent"], accepted["written"], accepted["conflicts"]) == (
        agent,
        ["src/app.py"],
        [],
    )


def test_accept_exits_2_for_an_unknown_task_agent_or_a_missing_id(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "accept", "20990101-000000-abcd", "--root", str(repo.root)]) == 2
    assert main(["tasks", "accept", "--root", str(repo.root)]) == 2
    model_server.set_default(reply(GREET), model="coder")
    task = str(run_json(repo, capsys, "--model", "openai/coder")["task"])
    assert main(["tasks", "accept", task, "nobody", "--root", str(repo.root)]) == 2
    assert "no agent 'nobody'" in capsys.readouterr().err
    assert (repo.root / "src/app.py").read_text() == APP
    assert main(["tasks", "show", task, "a1-coder", "--root", str(repo.root)]) == 2


def test_accept_without_an_agent_takes_the_recommended_one_of_several(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.script("coder", reply(GREET), reply(ADD))
    task = str(run_json(repo, capsys, "--model", "openai/coder", "--agents", "2")["task"])
    main(["tasks", "show", task, "--json", "--root", str(repo.root)])
    recommended = json.loads(capsys.readouterr().out)["recommendation"]["agent"]
    assert main(["tasks", "accept", task, "--json", "--root", str(repo.root)]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] == recommended


def test_run_apply_accepts_the_result_when_the_run_ends(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(reply(GREET), model="coder")
    head = repo.head()
    data = run_json(repo, capsys, "--model", "openai/coder", "--apply")
    accepted = data["accepted"]
    assert isinstance(accepted, dict) and accepted["written"] == ["src/app.py"]
    assert "Hello, {name}!" in (repo.root / "src/app.py").read_text()
    assert repo.head() == head
    assert repo.git("status", "--porcelain").splitlines() == [" M src/app.py"]
