"""What a linter is, declaratively: its command, the files it takes, and how to read its output.

Specs are data plus a pure output parser; running them belongs to `lint/runner.py`.
Parsers return 0-based positions with columns in the spec's `column_unit` (fix edits too).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orchard.lint.diagnostic import ColumnUnit, Diagnostic

FILES = "{files}"
PATH = "{path}"


@dataclass(frozen=True, slots=True)
class Invocation:
    """One process to start: its arguments, folder, the files it reports on, optional stdin."""

    argv: tuple[str, ...]
    cwd: Path
    files: tuple[Path, ...]
    stdin: str | None = None


@dataclass(frozen=True, slots=True)
class ToolOutput:
    """What one invocation printed, with what is needed to resolve the paths it names."""

    stdout: str
    stderr: str
    returncode: int
    cwd: Path
    files: tuple[Path, ...]


Planner = Callable[["ToolSpec", str, Sequence[Path], Path], list[Invocation]]
# (root, repo-relative paths the agent changed) -> why the tool would run that code, or None.
CodeCheck = Callable[[Path, Collection[str]], str | None]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A linter: `executable args...` over the files of `languages`, read back by `parse`."""

    name: str
    executable: str
    args: tuple[str, ...]
    languages: frozenset[str]
    parse: Callable[[ToolOutput], list[Diagnostic]]
    column_unit: ColumnUnit = ColumnUnit.CHARACTERS
    # Arguments to lint one unsaved text piped on stdin ({path} is its file name); None: no stdin.
    stdin_args: tuple[str, ...] | None = None
    # Runs only under a folder holding one of these (e.g. eslint's flat config); cwd is that folder.
    config_files: tuple[str, ...] = ()
    # Exit codes that mean "ran fine" (most linters exit 1 when they found something).
    ok_returncodes: frozenset[int] = frozenset({0, 1})
    # Codes that repeat what the syntax layer already says; dropped where it reported an error.
    syntax_codes: frozenset[str] = frozenset()
    # For tools that work per project or package rather than per file (tsc, go vet).
    plan: Planner | None = field(default=None, compare=False)
    # Says when files the agent changed are code this tool would run (configs, plugins).
    runs_code_from: CodeCheck | None = field(default=None, compare=False)
    # Says whether the project lets this tool's fixes marked unsafe be offered for a file;
    # None: they never are.
    unsafe_fixes_allowed: Callable[[Path], bool] | None = field(default=None, compare=False)

    def applies_to(self, language: str | None) -> bool:
        """Say whether this tool lints files of `language` (no languages listed: every file)."""
        return not self.languages or (language is not None and language in self.languages)

    def command(self, executable: str, files: Sequence[Path]) -> tuple[str, ...]:
        """Expand `args` for `files`: `{files}` becomes the paths, else they are appended."""
        names = [str(path) for path in files]
        argv = [executable]
        for arg in self.args:
            argv.extend(names if arg == FILES else [arg])
        if FILES not in self.args:
            argv.extend(names)
        return tuple(argv)

    def stdin_command(self, executable: str, path: Path) -> tuple[str, ...]:
        """Expand `stdin_args` for one text named `path`."""
        assert self.stdin_args is not None
        return (executable, *(arg.replace(PATH, str(path)) for arg in self.stdin_args))


def resolve(cwd: Path, name: str) -> Path:
    """Turn a path a tool printed (absolute or relative to where it ran) into an absolute one."""
    path = Path(name)
    return path if path.is_absolute() else (cwd / path)
