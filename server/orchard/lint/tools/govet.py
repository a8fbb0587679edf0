"""`go vet`, run per package folder, read from its `path:line:col: message` lines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from orchard.lint.diagnostic import ColumnUnit, Diagnostic, Severity
from orchard.lint.tools.command import parse_lines
from orchard.lint.tools.spec import Invocation, ToolOutput, ToolSpec


def parse_go_vet(output: ToolOutput) -> list[Diagnostic]:
    """Read go vet's findings; the `# package` headers are skipped by the line parser."""
    return parse_lines(output, "go vet", default=Severity.ERROR)


def in_module(folder: Path) -> bool:
    """Say whether `folder` is inside a Go module (a go.mod at or above it)."""
    return any((parent / "go.mod").is_file() for parent in (folder, *folder.parents))


def plan_go_vet(
    spec: ToolSpec, executable: str, files: Sequence[Path], root: Path
) -> list[Invocation]:
    """One run per package folder: `go vet .` inside a module, else the files themselves."""
    folders: dict[Path, list[Path]] = {}
    for path in files:
        folders.setdefault(path.parent, []).append(path)
    runs = []
    for folder, members in folders.items():
        targets = ["."] if in_module(folder) else [path.name for path in members]
        runs.append(Invocation((executable, "vet", *targets), folder, tuple(members)))
    return runs


SPEC = ToolSpec(
    name="go vet",
    executable="go",
    args=("vet",),
    languages=frozenset({"go"}),
    parse=parse_go_vet,
    column_unit=ColumnUnit.BYTES,
    ok_returncodes=frozenset({0, 1, 2}),
    plan=plan_go_vet,
)
