"""Python's own verdict on a file: `compile()` errors and syntax warnings, never executed.

Catches what a grammar cannot (`return` outside a function, bad assignments targets) and
settles disagreements: when the interpreter compiles a file, tree-sitter's doubts are dropped.
"""

from __future__ import annotations

import ast
import sys
import threading
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
        except ValueError as exc:  # NUL bytes in the source
            return False, [_whole_line(path, lines, 0, Severity.ERROR, PARSE, str(exc))]
    found = []
    for warning in caught:
        if issubclass(warning.category, SyntaxWarning | DeprecationWarning):
            row = max(min(warning.lineno, len(lines)) - 1, 0)
            message = str(warning.message)
            found.append(_whole_line(path, lines, row, Severity.WARNING, "compile", message))
    return True, found


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
