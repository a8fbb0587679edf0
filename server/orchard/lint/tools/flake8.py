"""flake8, read from its default `path:row:col: CODE message` lines."""

from __future__ import annotations

from orchard.lint.diagnostic import Diagnostic
from orchard.lint.tools.command import parse_lines
from orchard.lint.tools.ruff import python_severity
from orchard.lint.tools.spec import FILES, ToolOutput, ToolSpec


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
)
