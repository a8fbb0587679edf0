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
from tests.unit.agents.support import ADD_REPLY, FILES, GREET_REPLY, UTIL, edit_block

AI_TEXT = (
    "def add(a, b):\n    # convert both arguments with int() before adding AI!\n    return a + b\n"
)


@pytest_lsp.fixture(config=server_config(OPENAI_API_KEY="sk-test"))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    add_editor_handlers(lsp_client, apply_edit=False)
    lsp_client.buffers = editor_buffers(lsp_client)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=server_config(OPENAI_API_KEY="sk-test"))
async def killable(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """A client whose server the test kills: nothing to shut down afterwards."""
    add_editor_handlers(lsp_client)
    yield


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


OTHER_REPLY = edit_block("src/util.py", "    return a + b\n", "    return float(a) + float(b)\n")
REVIEW_FINDING = {
    "file": "src/util.py",
    "line": 2,
    "end_line": 2,
    "severity": "warning",
    "message": "text that is not a number raises",
    "replacement": "    return int(a) + int(b)  # may raise ValueError\n",
}


def with_reviewer(repo: GitRepo, model_server: ModelServer) -> None:
    """Add a reviewer model whose review of every result carries one finding on util.py."""
    config = (repo.root / ".orchard.toml").read_text()
    config = f'reviewer_model = "openai/reviewer"\n{config}'
    config += f'[[models]]\nmodel = "openai/reviewer"\napi_base = "{model_server.api_base}"\n'
    repo.commit("reviewer", {".orchard.toml": config})
    model_server.set_default(reply(json.dumps({"findings": [REVIEW_FINDING]})), model="reviewer")


async def wait_until(check: Callable[[], Any], what: str, timeout: float = 180) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def final_change(buffers: Buffers, task_id: str) -> dict[str, Any] | None:
    ended = [v for v in buffers.task_changes if v["id"] == task_id and v["state"] == "done"]
    return ended[-1] if ended else None


def agent_progress(client: LanguageClient, task_id: str) -> dict[str, list[Any]]:
    out = {}
    for reports in client.progress_reports.values():
        first = reports[0] if reports else None
        if isinstance(first, types.WorkDoneProgressBegin) and first.title.startswith(
            f"Orchard {task_id} "
        ):
            out[first.title.removeprefix(f"Orchard {task_id} ")] = reports
    return out


@pytest.mark.slow
@pytest.mark.parametrize("editor", CAPABILITY_SETS)
async def test_best_of_two_from_a_code_action_is_watched_reviewed_and_accepted_as_one_edit(
    client: LanguageClient,
    buffers: Buffers,
    repo: GitRepo,
    model_server: ModelServer,
    editor: str,
) -> None:
    with_reviewer(repo, model_server)
    model_server.set_default(reply(ADD_REPLY), model="gpt-test")
    model_server.set_default(reply(OTHER_REPLY), model="gpt-other")
    await initialize(client, repo.root, editor)
    util = buffers.open(repo.root / "src" / "util.py", UTIL)
    send = titled(await code_actions(client, util, 1), "Orchard: send agents…")
    (argument,) = send["command"]["arguments"]
    models = ["openai/gpt-test", "openai/gpt-other"]  # not the reviewer's entry
    argument = {**argument, "request": "make add convert its arguments", "models": models}
    started = await command(client, send["command"]["command"], argument)
    task_id = started["task"]
    buffers.type_text(util, "# the user's note, typed while the agents work\n" + UTIL)

    view = await wait_until(lambda: final_change(buffers, task_id), "taskChanged done")
    recommended = view["recommendation"]["agent"]
    assert recommended in {run["agent"] for run in view["runs"]}
    assert all(run["state"] == "committed" for run in view["runs"])
    bars = await wait_until(
        lambda: (p := agent_progress(client, task_id)) and len(p) == 2 and all(
            isinstance(r[-1], types.WorkDoneProgressEnd) for r in p.values()) and p,
        "two ended progress bars",
    )  # fmt: skip
    for reports in bars.values():
        begin, *middle, end = reports
        assert isinstance(begin, types.WorkDoneProgressBegin) and begin.cancellable
        assert middle and all(isinstance(r, types.WorkDoneProgressReport) for r in middle)
        assert "committed" in (end.message or "")
    review = await wait_until(
        lambda: [d for d in client.diagnostics.get(util, []) if d.source == "orchard-review"],
        "review diagnostics",
    )
    assert {d.severity for d in review} == {types.DiagnosticSeverity.Warning}
    assert {d.data["agent"] for d in review} == {run["agent"] for run in view["runs"]}
    assert all(d.range.start.line == 2 for d in review)  # line 2 of the result: 3 here
    buffers.type_text(util, "# a second note\n" + buffers.text(util))
    moved = await wait_until(
        lambda: [
            d for d in client.diagnostics.get(util, [])
            if d.source == "orchard-review" and d.range.start.line == 3
        ],
        "review diagnostics moved with the user's typing",
    )  # fmt: skip
    assert len(moved) == len(review)
    actions = await code_actions(client, util, 0)
    titled(actions, f"Orchard: accept {recommended} (recommended)")
    titled(actions, f"Orchard: discard task {task_id}")

    accepted = await command(client, "orchard.acceptAgent", {"task": task_id})

    assert accepted["applied"] is True and accepted["agent"] == recommended
    (sent,) = buffers.edits  # ONE edit
    assert sent.label == "Orchard: make add convert its arguments"
    model = {run["agent"]: run["model"] for run in view["runs"]}[recommended]
    wanted = "int(a) + int(b)" if model.endswith("gpt-test") else "float(a) + float(b)"
    assert wanted in buffers.text(util)
    assert "# the user's note, typed while the agents work" in buffers.text(util)
    if editor == "visual_studio_code":
        (change,) = sent.edit.document_changes  # type: ignore[misc]
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.version == 3  # the version the user's typing made
        assert len(change.edits) == 1  # one small edit, not the whole file
    assert not (repo.root / "src" / "util.py").read_text().count("int(a)")  # buffers, not disk
    await wait_until(
        lambda: not [d for d in client.diagnostics.get(util, []) if d.source == "orchard-review"],
        "review diagnostics cleared",
    )


@pytest.mark.slow
async def test_a_stale_version_is_refused_and_the_retry_against_the_newer_text_succeeds(
    client: LanguageClient, buffers: Buffers, repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.set_default(reply(ADD_REPLY), model="gpt-test")
    await initialize(client, repo.root)
    util = buffers.open(repo.root / "src" / "util.py", UTIL)
    started = await command(
        client, "orchard.startTask", {"request": "convert", "models": ["openai/gpt-test"]}
    )
    await wait_until(lambda: final_change(buffers, started["task"]), "taskChanged done")
    typed = UTIL + "\n\n# typed just as the edit arrived\n"

    def type_first(params: types.ApplyWorkspaceEditParams) -> None:
        if len(buffers.edits) == 1:  # the user types before the editor applies the edit
            buffers.type_text(util, typed)

    buffers.before_apply = type_first
    accepted = await command(client, "orchard.acceptAgent", {"task": started["task"]})

    assert buffers.answers == [False, True]
    assert accepted["applied"] is True and accepted["attempts"] == 2
    assert "int(a) + int(b)" in buffers.text(util)
    assert "# typed just as the edit arrived" in buffers.text(util)
    shown = await command(client, "orchard.showTask", {"task": started["task"]})
    assert shown["state"] == "done"


@pytest.mark.slow
async def test_a_large_buffers_unsaved_text_is_what_the_accept_merges_into(
    client: LanguageClient, buffers: Buffers, repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.set_default(reply(ADD_REPLY), model="gpt-test")
    options = {"lint": {"largeBufferChars": 2_000}}
    await initialize(client, repo.root, initialization_options=options)
    util = buffers.open(repo.root / "src" / "util.py", UTIL)
    started = await command(
        client, "orchard.startTask", {"request": "convert", "models": ["openai/gpt-test"]}
    )
    await wait_until(lambda: final_change(buffers, started["task"]), "taskChanged done")
    padding = "".join(f"def unsaved_{n}(value):\n    return value\n\n\n" for n in range(80))
    typed = "# the user's unsaved note\n" + padding + UTIL
    assert len(typed) > options["lint"]["largeBufferChars"]
    buffers.type_text(util, typed)  # now a large buffer, never saved

    accepted = await command(client, "orchard.acceptAgent", {"task": started["task"]})

    assert accepted["applied"] is True
    text = buffers.text(util)
    assert "int(a) + int(b)" in text
    assert text.startswith("# the user's unsaved note\n" + padding)
    assert (repo.root / "src" / "util.py").read_text() == UTIL  # the disk was never the base


@pytest.mark.slow
async def test_a_progress_cancel_cancels_only_its_agent(
    client: LanguageClient, buffers: Buffers, repo: GitRepo, model_server: ModelServer
) -> None:
    model_server.set_default(drip(every=0.2, chunk_chars=4), model="gpt-test")  # crawls
    model_server.set_default(reply(GREET_REPLY), model="gpt-other")
    await initialize(client, repo.root)
    started = await command(
        client,
        "orchard.startTask",
        {"request": "two ways", "models": ["openai/gpt-test", "openai/gpt-other"]},
    )
    task_id = started["task"]
    assert await asyncio.to_thread(
        model_server.wait_for, lambda s: bool(s.requests_for("gpt-test")), 120
    )
    view = await command(client, "orchard.showTask", {"task": task_id})
    slow_agent = next(r["agent"] for r in view["runs"] if r["model"].endswith("gpt-test"))
    token = await progress_titled(client, f"Orchard {task_id} {slow_agent}")

    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    view = await wait_for_task(client, task_id)

    states = {r["agent"]: r["state"] for r in view["runs"]}
    assert states.pop(slow_agent) == "cancelled"
    assert list(states.values()) == ["committed"]
    end = client.progress_reports[token][-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and "cancelled" in (end.message or "")


@pytest.mark.slow
async def test_a_client_killed_mid_task_leaves_a_task_that_resumes(
    killable: LanguageClient, repo: GitRepo, model_server: ModelServer
) -> None:
    lsp_client = killable
    model_server.set_default(drip(every=0.5), model="gpt-test")
    await initialize(lsp_client, repo.root)
    started = await command(
        lsp_client, "orchard.startTask", {"request": "survive", "models": ["openai/gpt-test"]}
    )
    assert await asyncio.to_thread(
        model_server.wait_for, lambda s: bool(s.requests_for("gpt-test")), 120
    )
    server = lsp_client._server
    assert server is not None
    os.kill(server.pid, signal.SIGKILL)  # the editor and its server die at once
    await server.wait()
    model_server.set_default(reply(ADD_REPLY), model="gpt-test")

    resumed = subprocess.run(
        [sys.executable, "-m", "orchard", "tasks", "resume", started["task"], "--json"],
        cwd=repo.root,
        env=server_env(OPENAI_API_KEY="sk-test"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert resumed.returncode == 0, resumed.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "orchard", "tasks", "show", started["task"], "--json"],
        cwd=repo.root, env=server_env(), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    (run,) = json.loads(shown.stdout)["runs"]
    assert run["state"] == "committed"
    branch = run["branch"]
    assert "int(a) + int(b)" in repo.git("show", f"{branch}:src/util.py")
