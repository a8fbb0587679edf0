"""Model-written lint configuration never runs unasked: an agent whose reply creates an
`eslint.config.cjs` or a flake8 local plugin that writes outside the repository, through the real
orchestrator, real eslint and flake8, with the bubblewrap sandbox and without it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchard.agents.orchestrator import Orchestrator
from orchard.agents.outcome import RunOutcome
from orchard.agents.task import RunState, TaskSpec
from orchard.config import AgentSettings, LintSettings, Settings
from orchard.sandbox.bwrap import probe
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, reply
from tests.unit.agents.support import edit_block, settings_for

pytestmark = pytest.mark.slow

TOOLS_BIN = Path(__file__).parents[1] / "tools" / "node_modules" / ".bin"
JS = "export function add(a, b) {\n  return a + b;\n}\n"
PY = "def add(a, b):\n    return a + b\n"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def targets(tmp_path: Path) -> Iterator[list[Path]]:
    """Files outside the repository a hostile config tries to write: under /tmp and in $HOME."""
    paths = [tmp_path / "outside" / "pwned", Path.home() / f".orchard-pwned-{uuid.uuid4().hex}"]
    paths[0].parent.mkdir()
    yield paths
    for path in paths:
        path.unlink(missing_ok=True)


def sandbox_mode(request: pytest.FixtureRequest) -> str:
    mode = str(request.param)
    if mode == "bwrap" and not probe().works:
        pytest.skip(f"bubblewrap does not work here: {probe().detail}")
    return mode


@pytest.fixture(params=["off", "bwrap"])
def mode(request: pytest.FixtureRequest) -> str:
    return sandbox_mode(request)


def settings(
    server: ModelServer, mode: str, python: tuple[str, ...], js: tuple[str, ...]
) -> Settings:
    base = settings_for(server, "openai/m", agents=AgentSettings(max_reflections=0, sandbox=mode))
    lint = LintSettings(tools={"python": python, "javascript": js})
    return Settings(models=base.models, retry=base.retry, lint=lint, agents=base.agents)


async def run_agent(repo: GitRepo, config: Settings, text: str) -> RunOutcome:
    orchestrator = await Orchestrator.open(repo.root, config)
    try:
        result = await orchestrator.run_task(TaskSpec("tidy up", models=("openai/m",)))
    finally:
        orchestrator.close()
    (outcome,) = result.outcomes
    return outcome


def hostile_js(targets: list[Path]) -> str:
    writes = "".join(
        f"try {{ fs.writeFileSync({str(t)!r}, 'pwned'); }} catch (e) {{}}\n" for t in targets
    )
    return (
        "const fs = require('fs');\n" + writes
        + "fs.writeFileSync('eslint-ran', 'yes');\nmodule.exports = [{ rules: {} }];\n"
    )  # fmt: skip


def hostile_plugin(targets: list[Path]) -> str:
    writes = "".join(
        f"try:\n    pathlib.Path({str(t)!r}).write_text('pwned')\nexcept OSError:\n    pass\n"
        for t in targets
    )
    return (
        "import pathlib\n\n" + writes + "pathlib.Path('flake8-ran').write_text('yes')\n\n\n"
        "class Plugin:\n    name = 'evil'\n    version = '1'\n\n"
        "    def __init__(self, tree):\n        self.tree = tree\n\n"
        "    def run(self):\n        return iter(())\n"
    )  # fmt: skip


FLAKE8_CONFIG = (
    "[flake8]\nselect = E,F,W\n\n[flake8:local-plugins]\nextension =\n    ZZZ = evil:Plugin\n"
    "paths = ./plugins\n"
)


def ran_inside(outcome: RunOutcome, marker: str) -> bool:
    return (Path(outcome.worktree) / marker).exists()


async def test_a_model_written_eslint_config_never_writes_outside_the_repository(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    monkeypatch: pytest.MonkeyPatch,
    targets: list[Path],
    mode: str,
) -> None:
    monkeypatch.setenv(
        "PATH", f"{TOOLS_BIN}:{Path.home()}/no-such:" + __import__("os").environ["PATH"]
    )
    repo = make_repo({"src/add.js": JS, "package.json": '{"type": "module"}\n'})
    text = edit_block("eslint.config.cjs", "", hostile_js(targets), fence="js") + edit_block(
        "src/add.js", "  return a + b;\n", "  return b + a;\n", fence="js"
    )
    model_server.script("m", reply(text))
    outcome = await run_agent(repo, settings(model_server, mode, (), ("eslint",)), text)
    assert outcome.state is RunState.COMMITTED, outcome.error
    assert [t for t in targets if t.exists()] == []
    if mode == "off":
        assert ran_inside(outcome, "eslint-ran") is False
        assert any(
            n.startswith("eslint was skipped") and "eslint.config.cjs" in n for n in outcome.notes
        )
    else:
        assert ran_inside(outcome, "eslint-ran")  # it ran, confined to the worktree
        assert outcome.notes == ()


async def test_a_model_written_flake8_local_plugin_never_writes_outside_the_repository(
    make_repo: Callable[..., GitRepo],
    model_server: ModelServer,
    targets: list[Path],
    mode: str,
) -> None:
    repo = make_repo({"src/add.py": PY})
    text = (
        edit_block(".flake8", "", FLAKE8_CONFIG, fence="ini")
        + edit_block("plugins/evil.py", "", hostile_plugin(targets))
        + edit_block("src/add.py", "    return a + b\n", "    return b + a\n")
    )
    model_server.script("m", reply(text))
    outcome = await run_agent(repo, settings(model_server, mode, ("flake8",), ()), text)
    assert outcome.state is RunState.COMMITTED, outcome.error
    assert [t for t in targets if t.exists()] == []
    if mode == "off":
        assert ran_inside(outcome, "flake8-ran") is False
        assert any(n.startswith("flake8 was skipped") and ".flake8" in n for n in outcome.notes)
    else:
        assert ran_inside(outcome, "flake8-ran")
        assert outcome.notes == ()
