"""Fixtures for lint tests: hermetic project folders and where the test-only linters live."""

from __future__ import annotations

from pathlib import Path

import pytest

TOOLS_BIN = Path(__file__).parents[2] / "tools" / "node_modules" / ".bin"
RUFF_CONFIG = '[lint]\nselect = ["F", "E9"]\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with its own ruff.toml, so no user or parent config leaks in."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "ruff.toml").write_text(RUFF_CONFIG, encoding="utf-8")
    return root


def node_tool(name: str) -> Path:
    """Return a tool installed by `npm ci --prefix tests/tools`, failing loudly when absent."""
    path = TOOLS_BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing: run `npm ci --prefix tests/tools` first")
    return path
