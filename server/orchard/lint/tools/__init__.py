"""The linters Orchard knows by name, and which of them run by default for each language.

Each tool is a declarative spec in its own module; user commands come from `lint.commands`.
"""

from __future__ import annotations

from orchard.lint.tools import eslint, flake8, govet, ruff, tsc
from orchard.lint.tools.spec import Invocation, ToolOutput, ToolSpec

BUILTIN: dict[str, ToolSpec] = {
    spec.name: spec for spec in (ruff.SPEC, flake8.SPEC, eslint.SPEC, tsc.SPEC, govet.SPEC)
}
BUILTIN["go-vet"] = govet.SPEC

# Used when `lint.tools` says nothing about a language. flake8 is opt-in: ruff covers it.
DEFAULT_TOOLS: dict[str, tuple[str, ...]] = {
    "python": ("ruff",),
    "javascript": ("eslint",),
    "typescript": ("eslint", "tsc"),
    "tsx": ("eslint", "tsc"),
    "go": ("go vet",),
}

__all__ = ["BUILTIN", "DEFAULT_TOOLS", "Invocation", "ToolOutput", "ToolSpec"]
