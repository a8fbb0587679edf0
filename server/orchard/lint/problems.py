"""Telling the problems an edit introduced from the ones that were already there.

A problem is recognised by its rule and the text around it, not by its line number, so a
problem that merely moved is not new. Pure functions over diagnostics; no I/O.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.lint.diagnostic import SYNTAX_SOURCE, Diagnostic

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class ProblemChanges:
    """How the problems of a set of files changed across an edit."""

    new: tuple[Diagnostic, ...]
    fixed: tuple[Diagnostic, ...]
    kept: tuple[Diagnostic, ...]


def normalize(line: str) -> str:
    """Collapse whitespace so re-indenting or re-spacing a line does not make it different."""
    return " ".join(line.split())


def context_of(lines: Sequence[str], line: int) -> tuple[str, str, str]:
    """Return the normalized (previous, flagged, next) lines around 0-based `line`."""

    def at(index: int) -> str:
        return normalize(lines[index]) if 0 <= index < len(lines) else ""

    return at(line - 1), at(line), at(line + 1)


def with_context(diagnostics: Iterable[Diagnostic], lines: Sequence[str]) -> list[Diagnostic]:
    """Attach to each diagnostic the text around it in the file split into `lines`."""
    return [dataclasses.replace(d, context=context_of(lines, d.line)) for d in diagnostics]


def compare_problems(before: Iterable[Diagnostic], after: Iterable[Diagnostic]) -> ProblemChanges:
    """Match problems across an edit: same file and rule, then the same surrounding text."""
    pool: dict[tuple[Path, str, str | None, str], list[Diagnostic]] = {}
    for problem in before:
        pool.setdefault(_rule(problem), []).append(problem)
    after = list(after)
    matched: dict[int, Diagnostic] = {}
    passes = (lambda d: d.context, lambda d: _flagged(d))
    for same_text in passes:
        for index, problem in enumerate(after):
            if index in matched:
                continue
            candidates = [
                old for old in pool.get(_rule(problem), []) if same_text(old) == same_text(problem)
            ]
            if candidates:
                best = min(candidates, key=lambda old: abs(old.line - problem.line))
                pool[_rule(problem)].remove(best)
                matched[index] = best
    new = tuple(problem for index, problem in enumerate(after) if index not in matched)
    kept = tuple(problem for index, problem in enumerate(after) if index in matched)
    fixed = tuple(problem for group in pool.values() for problem in group)
    return ProblemChanges(new=new, fixed=fixed, kept=kept)


def new_problems(before: Iterable[Diagnostic], after: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return only the problems in `after` that `before` did not have, in `after`'s order."""
    return list(compare_problems(before, after).new)


def _rule(problem: Diagnostic) -> tuple[Path, str, str | None, str]:
    if problem.source == SYNTAX_SOURCE:
        # A parser words one broken line differently depending on what follows it (Python's
        # "was never closed" becomes "forgot a comma?"): the text around it is the identity.
        return problem.path, problem.source, None, ""
    # Positions inside messages ("opened at 3:10") move with the code; mask them.
    return problem.path, problem.source, problem.code, _DIGITS.sub("#", problem.message)


def _flagged(problem: Diagnostic) -> str:
    return problem.context[1] if len(problem.context) == 3 else ""
