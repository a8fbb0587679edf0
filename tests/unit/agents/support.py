"""Shared builders for the agent tests: settings pointed at the local model server, replies."""

from __future__ import annotations

from orchard.config import AgentSettings, LintSettings, ModelSettings, RetrySettings, Settings
from tests.support.model_server import ModelServer

APP = "def greet(name):\n    return f'hello {name}'\n"
UTIL = "def add(a, b):\n    return a + b\n"
FILES = {"src/app.py": APP, "src/util.py": UTIL, "README.md": "# demo\n"}


def settings_for(
    server: ModelServer, *models: str, agents: AgentSettings | None = None, **model_options: object
) -> Settings:
    """Settings whose models all talk to the local server, with fast retries and no linters."""
    entries = tuple(
        ModelSettings(model=m, api_base=server.api_base, **model_options)  # type: ignore[arg-type]
        for m in models
    )
    return Settings(
        models=entries,
        retry=RetrySettings(max_attempts=2, initial_delay_seconds=0.01, max_wait_seconds=1.0),
        lint=LintSettings(tools={"python": ()}),
        agents=agents or AgentSettings(),
    )


def edit_block(path: str, search: str, replace: str, fence: str = "python") -> str:
    """Return a reply holding one SEARCH/REPLACE block."""
    return (
        f"Here is the change.\n\n{path}\n```{fence}\n<<<<<<< SEARCH\n{search}=======\n"
        f"{replace}>>>>>>> REPLACE\n```\n"
    )


GREET_REPLY = edit_block(
    "src/app.py", "    return f'hello {name}'\n", "    return f'Hello, {name}!'\n"
)
ADD_REPLY = edit_block("src/util.py", "    return a + b\n", "    return int(a) + int(b)\n")
