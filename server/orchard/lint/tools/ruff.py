"""ruff, read from its JSON output (`ruff check --output-format=json`).

Problems that break the program (syntax, undefined names, misplaced statements) are errors;
style findings are warnings, so agents are held to the first and shown the second. Ruff's fix
for a finding is read too (it reports them under `--no-fix`, which leaves the files untouched).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from orchard.errors import LintError
from orchard.lint.diagnostic import Applicability, Diagnostic, Fix, FixEdit, Severity
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
                fix=ruff_fix(item.get("fix"), code),
            )
        )
    return found


def ruff_fix(value: Any, code: str) -> Fix | None:
    """Read the `fix` of one ruff JSON row (1-based rows and character columns), if any."""
    if not isinstance(value, dict) or not value.get("edits"):
        return None
    try:
        applicability = Applicability(value.get("applicability") or "safe")
    except ValueError:
        return None
    edits = tuple(
        FixEdit(
            line=edit["location"]["row"] - 1,
            column=edit["location"]["column"] - 1,
            end_line=edit["end_location"]["row"] - 1,
            end_column=edit["end_location"]["column"] - 1,
            new_text=edit.get("content") or "",
        )
        for edit in value["edits"]
    )
    title = value.get("message") or f"fix {code}"
    return Fix(f"Ruff: {title}", edits, applicability)


# In one folder ruff reads the first of these that configures it (pyproject.toml needs [tool.ruff]).
_CONFIGS = (".ruff.toml", "ruff.toml", "pyproject.toml")


def ruff_allows_unsafe_fixes(path: Path) -> bool:
    """Say whether the ruff configuration governing `path` sets `unsafe-fixes = true`.

    Reads the nearest project config and the files it `extend`s; the user-level config and
    command-line flags are not consulted (then unsafe fixes stay off, ruff's default).
    """
    for folder in path.resolve().parents:
        for name in _CONFIGS:
            table = _ruff_table(folder / name)
            if table is not None:
                return _unsafe_setting(table, folder / name) is True
    return False


def _ruff_table(config: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if config.name != "pyproject.toml":
        return data
    table = data.get("tool", {}).get("ruff")
    return table if isinstance(table, dict) else None


def _unsafe_setting(table: dict[str, Any], config: Path, depth: int = 0) -> bool | None:
    value = table.get("unsafe-fixes")
    if isinstance(value, bool) or depth >= 8:
        return value if isinstance(value, bool) else None
    extended = table.get("extend")
    if not isinstance(extended, str):
        return None
    base = (config.parent / Path(extended).expanduser()).resolve()
    parent = _ruff_table(base)
    return _unsafe_setting(parent, base, depth + 1) if parent is not None else None


_CHECK = ("check", "--output-format=json", "--no-fix", "--exit-zero", "--quiet")

SPEC = ToolSpec(
    name="ruff",
    executable="ruff",
    args=(*_CHECK, FILES),
    languages=frozenset({"python"}),
    parse=parse_ruff,
    stdin_args=(*_CHECK, "--stdin-filename", "{path}", "-"),
    syntax_codes=frozenset({"invalid-syntax", "syntax-error"}),
    unsafe_fixes_allowed=ruff_allows_unsafe_fixes,
)
