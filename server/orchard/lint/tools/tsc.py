"""TypeScript's compiler as a checker (`tsc --noEmit`), read from its `file(line,col): ...` lines.

With a tsconfig.json above the files, the project is checked as configured and the report
is narrowed to the files asked about; without one, the files are checked with sane defaults.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from orchard.lint.diagnostic import ColumnUnit, Diagnostic, Severity
from orchard.lint.tools.spec import Invocation, ToolOutput, ToolSpec, resolve

_LINE = re.compile(
    r"^(?P<path>.+?)\((?P<line>\d+),(?P<column>\d+)\): (?P<severity>error|warning|message) "
    r"(?P<code>TS\d+): (?P<message>.*)$"
)
_STANDALONE = (
    "--noEmit", "--pretty", "false", "--skipLibCheck", "--jsx", "preserve",
    "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler",
)  # fmt: skip
_SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "message": Severity.INFO}


def parse_tsc(output: ToolOutput) -> list[Diagnostic]:
    """Read tsc's report; indented lines continue the message above them."""
    found: list[Diagnostic] = []
    for raw in output.stdout.splitlines():
        match = _LINE.match(raw)
        if match is None:
            if raw.startswith(" ") and found and raw.strip():
                last = found[-1]
                found[-1] = Diagnostic(
                    last.path, last.line, last.column, last.end_line, last.end_column,
                    last.severity, last.source, last.code, f"{last.message}\n{raw.strip()}",
                )  # fmt: skip
            continue
        line, column = int(match["line"]) - 1, int(match["column"]) - 1
        found.append(
            Diagnostic(
                resolve(output.cwd, match["path"]), line, column, line, column + 1,
                _SEVERITIES[match["severity"]], "tsc", match["code"], match["message"],
            )
        )  # fmt: skip
    return found


def find_tsconfig(start: Path, root: Path) -> Path | None:
    """Return the nearest tsconfig.json from `start` up to `root`, if any."""
    for folder in (start, *start.parents):
        candidate = folder / "tsconfig.json"
        if candidate.is_file():
            return candidate
        if folder == root:
            break
    return None


def plan_tsc(
    spec: ToolSpec, executable: str, files: Sequence[Path], root: Path
) -> list[Invocation]:
    """One run per tsconfig project, plus one for the files that belong to none."""
    projects: dict[Path, list[Path]] = {}
    loose: list[Path] = []
    for path in files:
        config = find_tsconfig(path.parent, root)
        if config is None:
            loose.append(path)
        else:
            projects.setdefault(config, []).append(path)
    runs = [
        Invocation(
            (executable, "--noEmit", "--pretty", "false", "-p", str(config)),
            config.parent,
            tuple(members),
        )
        for config, members in projects.items()
    ]
    if loose:
        argv = (executable, *_STANDALONE, *(str(path) for path in loose))
        runs.append(Invocation(argv, root, tuple(loose)))
    return runs


SPEC = ToolSpec(
    name="tsc",
    executable="tsc",
    args=_STANDALONE,
    languages=frozenset({"typescript", "tsx"}),
    parse=parse_tsc,
    column_unit=ColumnUnit.UTF16,
    ok_returncodes=frozenset({0, 1, 2}),
    # TS1xxx are parse errors; TS17002/17008 are unmatched JSX tags.
    syntax_codes=frozenset({f"TS{n}" for n in range(1000, 1500)} | {"TS17002", "TS17008"}),
    plan=plan_tsc,
)
