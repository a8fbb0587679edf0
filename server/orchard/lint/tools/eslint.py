"""eslint (9, flat config), read from `--format json`; runs only where a config exists."""

from __future__ import annotations

import json

from orchard.errors import LintError
from orchard.lint.diagnostic import ColumnUnit, Diagnostic, Severity
from orchard.lint.tools.spec import FILES, ToolOutput, ToolSpec, resolve

CONFIG_FILES = (
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    "eslint.config.cts",
)


def parse_eslint(output: ToolOutput) -> list[Diagnostic]:
    """Read eslint's JSON: one entry per file, each with its messages."""
    text = output.stdout.strip()
    if not text:
        if output.returncode not in (0, 1):
            raise LintError(f"eslint failed: {output.stderr.strip()[:300]}")
        return []
    try:
        results = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LintError(f"eslint printed something that is not JSON: {text[:200]!r}") from exc
    found = []
    for result in results:
        path = resolve(output.cwd, result["filePath"])
        for message in result.get("messages", []):
            line = max(message.get("line", 1) - 1, 0)
            column = max(message.get("column", 1) - 1, 0)
            rule = message.get("ruleId") or ("syntax" if message.get("fatal") else None)
            found.append(
                Diagnostic(
                    path=path,
                    line=line,
                    column=column,
                    end_line=max(message.get("endLine", line + 1) - 1, line),
                    end_column=max(message.get("endColumn", column + 2) - 1, 0),
                    severity=Severity.ERROR if message.get("severity") == 2 else Severity.WARNING,
                    source="eslint",
                    code=rule,
                    message=message.get("message", ""),
                )
            )
    return found


SPEC = ToolSpec(
    name="eslint",
    executable="eslint",
    args=("--format", "json", "--no-warn-ignored", FILES),
    languages=frozenset({"javascript", "typescript", "tsx"}),
    parse=parse_eslint,
    column_unit=ColumnUnit.UTF16,
    stdin_args=("--format", "json", "--no-warn-ignored", "--stdin", "--stdin-filename", "{path}"),
    config_files=CONFIG_FILES,
    syntax_codes=frozenset({"syntax"}),
)
