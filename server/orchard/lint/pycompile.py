"""Python's own verdict on a file: `compile()` errors and syntax warnings, never executed.

Catches what a grammar cannot (`return` outside a function, bad assignments targets) and
settles disagreements: when the interpreter compiles a file, tree-sitter's doubts are dropped.
Not asked for projects on a newer Python than the server's (their syntax is not ours).
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import threading
import tomllib
import warnings
from pathlib import Path

from orchard.lint.diagnostic import SYNTAX_SOURCE, Diagnostic, Severity

# `warnings.catch_warnings` swaps process-wide state; checks may run on several threads.
_warnings_lock = threading.Lock()


PARSE = "parse"  # the interpreter's parser refused the text (maybe newer syntax)
COMPILE = "compile"  # it parsed, but cannot compile (`return` outside a function, ...)


def compile_python(text: str, path: Path) -> tuple[bool, list[Diagnostic]]:
    """Compile `text` without running it; return (compiled, its error or warnings).

    An error's code says the stage that failed: PARSE or COMPILE (or "indentation").
    """
    if "\x00" in text:  # binary content, not code to judge
        return True, []
    lines = text.split("\n")
    with _warnings_lock, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stage = PARSE
        try:
            tree = ast.parse(text, filename=str(path))
            stage = COMPILE
            compile(tree, str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            return False, [_error(exc, path, lines, stage)]
        except ValueError:  # NUL bytes: binary content, not code to judge
            return True, []
    found = []
    for warning in caught:
        if issubclass(warning.category, SyntaxWarning | DeprecationWarning):
            row = max(min(warning.lineno, len(lines)) - 1, 0)
            message = str(warning.message)
            found.append(_whole_line(path, lines, row, Severity.WARNING, "compile", message))
    return True, found


def compile_applies(path: Path) -> bool:
    """Tell whether this interpreter may judge `path`: its project's Python is not newer."""
    project = project_python(path)
    return project is None or project <= sys.version_info[:2]


def project_python(path: Path) -> tuple[int, int] | None:
    """The Python of the project holding `path`: its `.venv`'s, else `requires-python`'s floor."""
    try:
        folder = path.resolve().parent
    except OSError:
        return None
    for candidate in (folder, *folder.parents):
        venv, pyproject = candidate / ".venv" / "pyvenv.cfg", candidate / "pyproject.toml"
        found = _venv_python(venv, _mtime(venv)) or _required_python(pyproject, _mtime(pyproject))
        if found is not None or (candidate / ".git").exists():
            return found
    return None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


_VERSION = re.compile(r"(\d+)\.(\d+)")


@functools.lru_cache(maxsize=64)
def _venv_python(cfg: Path, mtime: float) -> tuple[int, int] | None:
    if mtime < 0:
        return None
    try:
        text = cfg.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info") and (match := _VERSION.search(value)):
            return int(match.group(1)), int(match.group(2))
    return None


@functools.lru_cache(maxsize=64)
def _required_python(pyproject: Path, mtime: float) -> tuple[int, int] | None:
    if mtime < 0:
        return None
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    project = data.get("project")
    spec = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(spec, str):
        return None
    floors = [m for clause in spec.split(",") if (m := _floor(clause.strip()))]
    return max(floors) if floors else None


def _floor(clause: str) -> tuple[int, int] | None:
    """The least version a `requires-python` clause allows (`>=3.12`, `~=3.12`, `==3.13.*`)."""
    match = _VERSION.search(clause)
    if match is None or not clause.startswith((">=", "~=", "==", ">")):
        return None
    major, minor = int(match.group(1)), int(match.group(2))
    return (
        (major, minor + 1)
        if clause.startswith(">") and not clause.startswith(">=")
        else (major, minor)
    )


def newer_syntax(error: Diagnostic) -> Diagnostic:
    """Downgrade a parse error that tree-sitter does not share: likely syntax newer than us."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    message = f"{error.message} (Python {version} cannot parse this; is it newer syntax?)"
    return Diagnostic(
        error.path, error.line, error.column, error.end_line, error.end_column,
        Severity.WARNING, error.source, error.code, message,
    )  # fmt: skip


def _error(exc: SyntaxError, path: Path, lines: list[str], stage: str) -> Diagnostic:
    row = max(min(exc.lineno or 1, len(lines)) - 1, 0)
    column = max((exc.offset or 1) - 1, 0)
    end_row = max(min(exc.end_lineno or row + 1, len(lines)) - 1, row)
    end_column = (exc.end_offset or 0) - 1
    if end_row == row and end_column <= column:
        end_column = column + 1
    if exc.text is not None and lines[row] and column > len(lines[row]):
        column = len(lines[row])
    message = exc.msg or type(exc).__name__
    code = "indentation" if isinstance(exc, IndentationError) else stage
    return Diagnostic(
        path, row, column, end_row, max(end_column, 0), Severity.ERROR, SYNTAX_SOURCE, code, message
    )


def _whole_line(
    path: Path, lines: list[str], row: int, severity: Severity, code: str, message: str
) -> Diagnostic:
    text = lines[row] if row < len(lines) else ""
    start = len(text) - len(text.lstrip())
    return Diagnostic(path, row, start, row, len(text), severity, SYNTAX_SOURCE, code, message)
