"""The Neovim plugin (clients/neovim) in real headless Neovim 0.11.4 and 0.7.2 against the real
`orchard serve` and the local model server, no keys: one scenario per version (start a best-of-2
task, the task list, the diff tab, accept and undo, review, :checkhealth), each test reads one
step of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clients.neovim_run import NEOVIMS, PLUGIN, isolated_env, neovim_version, run_headless
from tests.support.gitrepo import init_repo
from tests.support.model_server import ModelServer, RecordedRequest
from tests.unit.agents.support import ADD_REPLY, FILES

SCENARIO = Path(__file__).with_name("plugin_scenario.lua")
MODELS = ("gpt-left", "gpt-right")
REQUEST = "make add convert its arguments to int"
FINDING = "int() raises ValueError for text that is not a number"
REVIEW = json.dumps(
    {"findings": [{"file": "src/util.py", "line": 2, "severity": "warning", "message": FINDING}]}
)


def answer(request: RecordedRequest) -> str:
    """The reviewer (the first model doubles as it) gets findings; agents get the edit."""
    asked = json.dumps(request.messages)
    return REVIEW if "You are the reviewer" in asked else ADD_REPLY


# One scenario waits on real agents; on a loaded machine that takes minutes, never forever.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module", params=sorted(NEOVIMS))
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run the plugin scenario once per Neovim version; return what Neovim saw, step by step."""
    version = request.param
    binary = NEOVIMS[version]
    if neovim_version(binary) != version:
        pytest.skip(f"Neovim {version} is not installed at {binary}")
    tmp = tmp_path_factory.mktemp(f"nvim-{version}")
    with ModelServer() as model_server:
        for model in MODELS:
            model_server.set_default(answer, model=model)
        repo = init_repo(tmp / "repo", initial=dict(FILES))
        models = "".join(
            f'[[models]]\nmodel = "openai/{m}"\napi_base = "{model_server.api_base}"\n'
            for m in MODELS
        )
        reviewer = f'reviewer_model = "openai/{MODELS[0]}"\n'
        settings = reviewer + models + "[lint.tools]\npython = []\n"
        repo.commit("orchard settings", {".orchard.toml": settings})
        result = tmp / "result.json"
        env = isolated_env(
            tmp / "home",
            OPENAI_API_KEY="sk-test",  # a placeholder: the model server asks for no key
            ORCHARD_PLUGIN=str(PLUGIN),
            ORCHARD_FILE=str(repo.root / "src" / "util.py"),
            ORCHARD_REQUEST=REQUEST,
            ORCHARD_RESULT=str(result),
            ORCHARD_FINDING=FINDING,
        )
        done = run_headless(binary, SCENARIO, repo.root, env, timeout=1100)
        requests = [r.model for r in model_server.requests]
    assert result.exists(), done.stderr[-2000:]
    seen = json.loads(result.read_text())
    seen["model_requests"] = requests
    seen["repo"] = repo
    seen["version"] = version
    return seen


def step(scenario: Any, name: str) -> Any:
    observed = scenario["steps"].get(name)
    assert observed is not None, f"the scenario stopped before {name}: {scenario['steps']}"
    assert "error" not in observed, observed["error"]
    return observed


def skip_unless_served(scenario: Any, observed: Any, method: str) -> None:
    """Skip when this build's server lacks `method` (Orchard's FeatureUnavailable says so)."""
    if observed.get("missing"):
        pytest.skip(f"the server does not offer {observed['missing']} yet")
    wording = f"this Orchard build cannot {method.replace('_', ' ')} yet"
    if any(wording in notice["message"] for notice in scenario["notices"]):
        pytest.skip(f"the service has no {method} yet (merge or review half not merged)")


def test_setup_attaches_one_server_with_the_orchard_commands(scenario: Any) -> None:
    attach = step(scenario, "attach")
    assert attach["attached"] and attach["clients"] == 1
    assert "orchard.startTask" in attach["commands"]


def test_orchard_start_asks_the_request_and_the_models_and_runs_both(scenario: Any) -> None:
    start = step(scenario, "start")
    assert start["input"] == "Orchard request: "
    assert start["select"] == ["all 2 models", *(f"openai/{m}" for m in MODELS)]
    assert start["task"]
    assert set(scenario["model_requests"]) >= set(MODELS)  # best of 2: both models answered


def test_the_task_list_fills_with_both_agents_and_shows_its_keys(scenario: Any) -> None:
    tasks = step(scenario, "tasks")
    assert tasks["done"], tasks["lines"]
    task = step(scenario, "start")["task"]
    header, *rows = tasks["lines"]
    for key in ("<CR> open", "d diff", "a accept", "x discard", "c cancel", "q close"):
        assert key in header
    agent_rows = [r for r in rows if "committed" in r and "tokens" in r]
    assert len(agent_rows) == 2, rows
    assert any(r.startswith(task) for r in rows)
    assert {"d", "a", "x", "c", "q", "<CR>"} <= set(tasks["keymaps"])


def test_each_agent_is_a_progress_neovim_and_vim_notify_show(scenario: Any) -> None:
    task = step(scenario, "start")["task"]
    titles = [f"Orchard {task} a1-{MODELS[0]}", f"Orchard {task} a2-{MODELS[1]}"]
    notices = [notice["message"] for notice in scenario["notices"]]
    for title in titles:
        assert any(message.startswith(title) for message in notices), notices
        if scenario["version"] != "0.7":  # LspProgress arrives in 0.10
            assert title in scenario["lsp_progress"], scenario["lsp_progress"]


def test_orchard_diff_opens_a_tab_in_diff_mode_between_base_and_result(scenario: Any) -> None:
    diff = step(scenario, "diff")
    skip_unless_served(scenario, diff, "agent_diff")
    assert diff["opened"], diff
    base, result = diff["windows"]
    assert base["diff"] and result["diff"]
    assert "    return a + b" in base["lines"]
    assert "    return int(a) + int(b)" in result["lines"]
    assert "/base/src/util.py" in base["name"] and "/result/src/util.py" in result["name"]
    assert not base["modifiable"] and not result["modifiable"]
    assert diff["tabs"] == 1  # closed again


def test_accepting_changes_the_buffer_and_one_undo_restores_it(scenario: Any) -> None:
    accept = step(scenario, "accept")
    skip_unless_served(scenario, accept, "accept")
    assert accept["changed"], accept
    assert "    return int(a) + int(b)" in accept["after"]
    assert accept["undone"] == accept["before"]


def test_the_agents_review_findings_show_in_the_diagnostic_ui(scenario: Any) -> None:
    shown = step(scenario, "task_review")["diagnostics"]
    assert len(shown) == 2, shown  # one finding per agent, each on the user's src/util.py
    for diagnostic, agent in zip(shown, ("a1-gpt-left", "a2-gpt-right"), strict=True):
        assert FINDING in diagnostic["message"] and agent in diagnostic["message"]
        assert diagnostic["file"].endswith("src/util.py") and diagnostic["lnum"] == 1


def test_orchard_review_shows_its_findings_as_diagnostics(scenario: Any) -> None:
    review = step(scenario, "review")
    skip_unless_served(scenario, review, "review")
    mine = [d for d in review["diagnostics"] if d["message"] == FINDING]
    assert len(mine) == 1, review
    assert mine[0]["file"].endswith("src/util.py") and mine[0]["lnum"] == 1
    assert mine[0]["severity"] == 2  # warning


def test_checkhealth_orchard_reports_ok(scenario: Any) -> None:
    text = "\n".join(step(scenario, "health")["lines"])
    for expected in (
        "Neovim 0.",
        "orchard 0.",
        "git version",
        "server attached",
        "models configured: openai/gpt-left, openai/gpt-right",
        "OPENAI_API_KEY is set",
    ):
        assert expected in text, text
    assert "ERROR" not in text, text


def test_send_agents_code_action_asks_the_request_through_the_client_side_handler(
    scenario: Any,
) -> None:
    action = step(scenario, "code_action")
    assert any("send agents" in title for title in action["titles"]), action
    assert action["input"] == "Orchard request: "
    assert action["task"] and action["task"] != action["previous"]


def test_orchard_fix_sends_the_diagnostic_under_the_cursor_to_the_picked_model(
    scenario: Any,
) -> None:
    spec = step(scenario, "fix")["spec"]
    assert FINDING in spec["request"] and "src/util.py:2" in spec["request"]
    assert spec["models"] == [f"openai/{MODELS[1]}"]
    assert spec["editable"] == ["src/util.py"]
    assert spec["selection"]["path"] == "src/util.py"
    assert "int(a) + int(b)" in spec["selection"]["text"]


def test_the_plugin_leaves_no_error_or_deprecation_in_messages(scenario: Any) -> None:
    assert scenario.get("finished"), scenario["steps"]
    messages = scenario["messages"]
    assert "deprecated" not in messages and "Error" not in messages, messages
