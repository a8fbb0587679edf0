"""eslint (9, flat config), read from `--format json`; runs only where a config exists.

A message's `fix` ({range: [start, end], text}, offsets in UTF-16 units into the file's text)
is kept as the diagnostic's fix; `suggestions` are not (they are choices, not fixes).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path, PurePosixPath

from orchard.errors import LintError
from orchard.lint.diagnostic import ColumnUnit, Diagnostic, Fix, FixEdit, Severity
from orchard.lint.tools.spec import FILES, ToolOutput, ToolSpec, resolve
from orchard.lint.trust import changed_named, local_imports

CONFIG_FILES = (
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    "eslint.config.cts",
)

# Every config eslint can read may load code (flat configs are programs; eslintrc names plugins).
CODE_BEARING = (*CONFIG_FILES, ".eslintrc", ".eslintrc.*", "package.json")


def eslint_runs_code_from(root: Path, changed: Collection[str]) -> str | None:
    """Say why eslint would run agent-written code: a config, a module one loads, node_modules."""
    configs = changed_named(changed, CODE_BEARING)
    if configs:
        return f"the agent wrote {configs[0]}, a configuration eslint would run as code"
    if any(p.startswith("node_modules/") or "/node_modules/" in p for p in changed):
        return "the agent changed files under node_modules, where eslint loads plugins from"
    loaded = local_imports(root, _configs_above(root, changed))
    touched = sorted(loaded & set(changed))
    if touched:
        return f"the agent changed {touched[0]}, which the eslint configuration loads"
    return None


def _configs_above(root: Path, changed: Collection[str]) -> list[str]:
    """Return the eslint configs in the folders holding the changed files and above them."""
    folders = {PurePosixPath(p).parent for p in changed}
    folders |= {parent for folder in list(folders) for parent in folder.parents}
    return sorted(
        (folder / name).as_posix().removeprefix("./")
        for folder in folders
        for name in CONFIG_FILES
        if (root / folder / name).is_file()
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
                    fix=eslint_fix(message.get("fix"), rule),
                )
            )
    return found


def eslint_fix(value: object, rule: str | None) -> Fix | None:
    """Read one message's `fix`: a replacement of text offsets [start, end)."""
    if not isinstance(value, dict):
        return None
    span, text = value.get("range"), value.get("text")
    if not isinstance(span, list) or len(span) != 2 or not isinstance(text, str):
        return None
    start, end = span
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    title = f"ESLint: fix this {rule} problem" if rule else "ESLint: apply its fix"
    return Fix(title, (FixEdit(0, start, 0, end, text, by_offset=True),))


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
    runs_code_from=eslint_runs_code_from,
)
