"""Fixtures shared by the whole suite: real git repositories and a local model server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.gitrepo import GitRepo, init_repo
from tests.support.model_server import ModelServer

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., GitRepo]:
    """Return a factory of real git repositories under tmp_path."""
    counter = iter(range(1000))

    def factory(files: dict[str, str | bytes] | None = None, name: str | None = None) -> GitRepo:
        root = tmp_path / (name or f"repo{next(counter)}")
        return init_repo(root, initial=files if files is not None else {"README.md": "# demo\n"})

    return factory


@pytest.fixture
def git_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """A repository with two commits on main, a feature branch, and an untracked file."""
    repo = make_repo(
        {
            "README.md": "# demo\n",
            "src/app.py": "def greet(name):\n    return f'hello {name}'\n",
            ".gitignore": "*.log\n",
        }
    )
    repo.commit("add util", {"src/util.py": "def add(a, b):\n    return a + b\n"})
    repo.branch("feature")
    repo.write("notes.txt", "untracked\n")
    repo.write("debug.log", "ignored\n")
    return repo


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    """A local OpenAI-compatible server on 127.0.0.1 (see tests/support/model_server.py)."""
    with ModelServer() as server:
        yield server
