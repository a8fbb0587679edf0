"""ruff, read from its JSON output (`ruff check --output-format=json`).

Problems that break the program (syntax, undefined names, misplaced statements) are errors;
style findings are warnings, so agents are held to the first and shown the second.
"""

from __future__ import annotations

import json
import re

from orchard.errors import LintError
from orchard.lint.diagnostic import Diagnostic, Severity
from orchard.lint.tools.spec import FILES, ToolOutput, ToolSpec, resolve

# pyflakes/pycodestyle codes that mean the code cannot run as written (as aider treats them).
FATAL_CODES = re.compile(r"^(E9\d\d|F63\d|F7\d\d|F82\d|invalid-syntax|syntax-error)$")


def python_severity(code: str | None) -> Severity:
    """Return error for codes that mean the program is broken, warning for the rest."""
    return Severity.ERROR if code is None or FATAL_CODES.match(code) else Severity.WARNING


def parse_ruff(output: ToolOutput) -> list[Diagnostic]:
    """Read ruff's JSON list of violations."""
    text = output.stdout.strip()
    if not text:
        return []
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LintError(f"ruff printed something that is not JSON: {text[:200]!r}") from exc
    found = []
    for item in items:
        start, end = item["location"], item.get("end_location") or item["location"]
        code = item.get("code") or "invalid-syntax"
        found.append(
            Diagnostic(
                path=resolve(output.cwd, item["filename"]),
                line=start["row"] - 1,
                column=start["column"] - 1,
                end_line=end["row"] - 1,
                end_column=end["column"] - 1,
                severity=python_severity(code),
                source="ruff",
                code=code,
                message=item["message"],
                url=item.get("url"),
            )
        )
    return found


_CHECK = ("check", "--output-format=json", "--no-fix", "--exit-zero", "--quiet")

SPEC = ToolSpec(
    name="ruff",
    executable="ruff",
    args=(*_CHECK, FILES),
    languages=frozenset({"python"}),
    parse=parse_ruff,
    stdin_args=(*_CHECK, "--stdin-filename", "{path}", "-"),
    syntax_codes=frozenset({"invalid-syntax", "syntax-error"}),
)
