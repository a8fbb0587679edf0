"""User-configured linters: any command printing `path:line[:col]: [severity:] message`.

Owns the generic line parser (flake8 and go vet reuse it) and reading `lint.commands`
entries, written `[python,go] mypy --strict {files}` (the `[languages]` selector is optional).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from orchard.errors import SettingsError
from orchard.lint.diagnostic import Diagnostic, Severity
from orchard.lint.tools.spec import ToolOutput, ToolSpec, resolve

_LINE = re.compile(
    r"^(?P<path>[^\s:][^:]*|[A-Za-z]:[\\/][^:]*):(?P<line>\d+):(?:(?P<column>\d+):)?\s*"
    r"(?:(?P<severity>error|warning|warn|note|info|hint)\s*:\s*)?(?P<message>\S.*)$",
    re.IGNORECASE,
)
_CODE = re.compile(r"^(?P<code>[A-Z]{1,4}\d{1,5}|[a-z]+(?:-[a-z]+)+)\s+(?P<rest>.+)$")
_SEVERITIES = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "note": Severity.INFO,
    "info": Severity.INFO,
    "hint": Severity.HINT,
}
_SELECTOR = re.compile(r"^\[(?P<languages>[\w+#.,\s-]*)\]\s*(?P<command>.+)$")


def parse_lines(
    output: ToolOutput, source: str, default: Severity = Severity.WARNING
) -> list[Diagnostic]:
    """Read `path:line[:col]: [severity:] [CODE] message` lines from stdout and stderr."""
    found: list[Diagnostic] = []
    for raw in (output.stdout + "\n" + output.stderr).splitlines():
        match = _LINE.match(raw.strip().removeprefix("vet: "))
        if match is None:
            continue
        line = max(int(match["line"]) - 1, 0)
        column = max(int(match["column"] or 1) - 1, 0)
        message = match["message"].strip()
        code = None
        coded = _CODE.match(message)
        if coded:
            code, message = coded["code"], coded["rest"]
        severity = _SEVERITIES.get((match["severity"] or "").lower(), default)
        path = resolve(output.cwd, match["path"])
        found.append(
            Diagnostic(path, line, column, line, column + 1, severity, source, code, message)
        )
    return found


def command_spec(entry: str) -> ToolSpec:
    """Build a spec from a `lint.commands` entry; raise SettingsError when it cannot be read."""
    selector = _SELECTOR.match(entry.strip())
    languages: frozenset[str] = frozenset()
    command = entry.strip()
    if selector:
        parts = selector["languages"].split(",")
        languages = frozenset(part.strip() for part in parts if part.strip())
        command = selector["command"]
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise SettingsError(f"lint command `{entry}` cannot be split into words: {exc}") from exc
    if not argv:
        raise SettingsError(f"lint command `{entry}` is empty")
    name = Path(argv[0]).name

    def parse(output: ToolOutput) -> list[Diagnostic]:
        return parse_lines(output, name)

    return ToolSpec(
        name=name,
        executable=argv[0],
        args=tuple(argv[1:]),
        languages=languages,
        parse=parse,
        ok_returncodes=frozenset(range(256)),
    )
