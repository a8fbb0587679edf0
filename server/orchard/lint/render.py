"""Problems as text for a model's next turn: each one with the lines around it, marked.

Used by the agent loop to ask for fixes (only for what the edit broke). Plain text, no I/O:
the caller hands in the texts it linted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from orchard.lint.diagnostic import Diagnostic, lines_of

CONTEXT_LINES = 2
MAX_PROBLEMS = 20


def render_problems(
    problems: Iterable[Diagnostic],
    texts: Mapping[Path, str],
    relative_to: Path | None = None,
    limit: int = MAX_PROBLEMS,
) -> str:
    """Describe `problems` file by file, each with numbered code around it and a `^` marker."""
    ordered = sorted(problems, key=lambda d: (str(d.path), d.line, d.column))
    shown, rest = ordered[:limit], ordered[limit:]
    blocks: list[str] = []
    current: Path | None = None
    for problem in shown:
        if problem.path != current:
            current = problem.path
            blocks.append(f"## {_name(current, relative_to)}")
        blocks.append(_block(problem, texts.get(problem.path)))
    if rest:
        blocks.append(f"... and {len(rest)} more problem(s) not shown.")
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _block(problem: Diagnostic, text: str | None) -> str:
    code = f" {problem.code}" if problem.code else ""
    head = (
        f"line {problem.line + 1}, column {problem.column + 1}: {problem.severity} "
        f"({problem.source}{code}) {problem.message}"
    )
    if text is None:
        return head
    lines = lines_of(text)
    first = max(problem.line - CONTEXT_LINES, 0)
    last = min(problem.line + CONTEXT_LINES, len(lines) - 1)
    width = len(str(last + 1))
    out = [head]
    for number in range(first, last + 1):
        mark = ">" if number == problem.line else " "
        out.append(f"{mark}{number + 1:>{width}} | {lines[number]}")
        if number == problem.line:
            span = max(problem.end_column - problem.column, 1) if problem.end_line == number else 1
            out.append(f" {' ' * width} | {' ' * problem.column}{'^' * span}")
    return "\n".join(out)


def _name(path: Path, relative_to: Path | None) -> str:
    if relative_to is not None and path.is_relative_to(relative_to):
        return str(path.relative_to(relative_to))
    return str(path)
