"""flake8, read from its default `path:row:col: CODE message` lines."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path, PurePosixPath

from orchard.lint.diagnostic import Diagnostic
from orchard.lint.tools.command import parse_lines
from orchard.lint.tools.ruff import python_severity
from orchard.lint.tools.spec import FILES, ToolOutput, ToolSpec
from orchard.lint.trust import changed_named, flake8_plugin_paths

CONFIG_FILES = (".flake8", "setup.cfg", "tox.ini")


def flake8_runs_code_from(root: Path, changed: Collection[str]) -> str | None:
    """Say why flake8 would run agent-written code: a config it reads (which can declare local
    plugins), or a Python module under the `paths` of the local plugins already declared."""
    configs = changed_named(changed, CONFIG_FILES)
    if configs:
        return f"the agent wrote {configs[0]}, whose [flake8:local-plugins] flake8 would import"
    paths = flake8_plugin_paths(root, CONFIG_FILES)
    if paths is None:
        return None
    folders = [PurePosixPath(p.removeprefix("./")) for p in paths]
    for path in sorted(changed):
        module = PurePosixPath(path)
        if module.suffix == ".py" and any(
            str(f) in (".", "") or module.is_relative_to(f) for f in folders
        ):
            return f"the agent changed {path}, where flake8's local plugins are loaded from"
    return None


def parse_flake8(output: ToolOutput) -> list[Diagnostic]:
    """Read flake8's report, with the same error/warning split as ruff."""
    found = []
    for problem in parse_lines(output, "flake8"):
        severity = python_severity(problem.code)
        found.append(
            Diagnostic(
                problem.path, problem.line, problem.column, problem.end_line, problem.end_column,
                severity, "flake8", problem.code, problem.message,
            )
        )  # fmt: skip
    return found


SPEC = ToolSpec(
    name="flake8",
    executable="flake8",
    args=("--format=default", FILES),
    languages=frozenset({"python"}),
    parse=parse_flake8,
    stdin_args=("--format=default", "--stdin-display-name", "{path}", "-"),
    syntax_codes=frozenset({"E999", "E902"}),
    runs_code_from=flake8_runs_code_from,
)
