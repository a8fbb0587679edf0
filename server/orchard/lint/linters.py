"""The linters layer: planning each tool's runs over the files, running them at once, reading back.

Turns tool output into diagnostics on the files asked about (columns in code points, fixes
placed on the text linted).
Tools that are not installed are skipped with one logged notice; failures are reported, not raised.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from orchard.errors import LintError
from orchard.lint.diagnostic import Applicability, Diagnostic, lines_of, to_code_points
from orchard.lint.fixes import place_fix
from orchard.lint.problems import context_of
from orchard.lint.runner import find_executable, run_invocation
from orchard.lint.tools.spec import Invocation, ToolSpec
from orchard.lint.trust import executable_refusal
from orchard.sandbox.bwrap import Sandbox

log = logging.getLogger(__name__)

_BATCH = 200
_noticed_missing: set[str] = set()


@dataclass(frozen=True, slots=True)
class LintFile:
    """A file to lint: its path as given, its text, language, and whether disk holds that text."""

    path: Path
    text: str
    language: str | None
    on_disk: bool


@dataclass(slots=True)
class LinterRun:
    """Everything the linters said, as (spec, diagnostic), plus who was skipped or failed."""

    diagnostics: list[tuple[ToolSpec, Diagnostic]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # would have run agent-written code


@dataclass(frozen=True, slots=True)
class Isolation:
    """How linters run for an agent: inside `sandbox`, or (without one) refusing any tool that
    would run code among `untrusted`, the repo-relative paths the agent changed."""

    sandbox: Sandbox | None = None
    untrusted: frozenset[str] = frozenset()

    def refusal(self, spec: ToolSpec, executable: str, root: Path | None) -> str | None:
        """Return why `spec` must not run here, or None."""
        if self.sandbox is not None or not self.untrusted or root is None:
            return None
        reason = executable_refusal(executable, root, self.untrusted)
        if reason is None and spec.runs_code_from is not None:
            reason = spec.runs_code_from(root, self.untrusted)
        return reason


NO_ISOLATION = Isolation()


async def run_linters(
    files: Sequence[LintFile],
    tools_for: Callable[[str | None], list[ToolSpec]],
    root: Path | None,
    search_path: Sequence[Path],
    timeout: float,
    isolation: Isolation = NO_ISOLATION,
) -> LinterRun:
    """Run every applicable linter over `files` concurrently and collect what they report."""
    result = LinterRun()
    by_tool: dict[ToolSpec, list[LintFile]] = {}
    for file in files:
        for spec in tools_for(file.language):
            by_tool.setdefault(spec, []).append(file)
    jobs: list[tuple[ToolSpec, Invocation]] = []
    for spec, members in by_tool.items():
        executable = find_executable(spec.executable, root, search_path)
        if executable is None:
            _notice_missing(spec.name)
            result.skipped.append(spec.name)
            continue
        refused = isolation.refusal(spec, executable, root)
        if refused is not None:
            log.warning("%s not run without a sandbox: %s", spec.name, refused)
            result.refused.append(f"{spec.name} was skipped for this run: {refused}")
            continue
        jobs.extend((spec, run) for run in plan(spec, executable, members, root))
    limit = asyncio.Semaphore(max(2, min(8, os.cpu_count() or 2)))
    known = {file.path.resolve(): file for file in files}

    async def one(spec: ToolSpec, invocation: Invocation) -> None:
        async with limit:
            try:
                output = await run_invocation(invocation, timeout, isolation.sandbox)
                found = spec.parse(output)
            except (LintError, KeyError, TypeError, ValueError) as exc:
                log.warning("%s: %s", spec.name, exc)
                result.failures.append(f"{spec.name}: {exc}")
                return
        if not found and output.returncode not in spec.ok_returncodes:
            detail = (output.stderr.strip() or output.stdout.strip()).splitlines()[:1]
            reason = f"{spec.name} exited with {output.returncode}: {' '.join(detail)}"
            log.warning("%s", reason)
            result.failures.append(reason)
        wanted = {path.resolve() for path in invocation.files}
        unsafe_ok = await _unsafe_fixes_allowed(spec, found)
        for diagnostic in found:
            file = known.get(diagnostic.path.resolve())
            if file is not None and diagnostic.path.resolve() in wanted:
                allowed = diagnostic.path in unsafe_ok
                result.diagnostics.append((spec, _placed(diagnostic, file, spec, allowed)))

    await asyncio.gather(*(one(spec, invocation) for spec, invocation in jobs))
    return result


def plan(
    spec: ToolSpec, executable: str, files: Sequence[LintFile], root: Path | None
) -> list[Invocation]:
    """Decide the processes one tool needs for `files` (saved files batched, texts on stdin)."""
    runs: list[Invocation] = []
    saved = [file.path for file in files if file.on_disk]
    for file in files:
        if file.on_disk:
            continue
        if spec.stdin_args is None or spec.plan is not None:
            log.debug("%s cannot read unsaved text; %s is skipped", spec.name, file.path)
            continue
        folder = _config_folder(spec, file.path, root) if spec.config_files else root
        cwd = folder or file.path.parent
        argv = spec.stdin_command(executable, file.path)
        runs.append(Invocation(argv, cwd, (file.path,), stdin=file.text))
    if not saved:
        return runs
    if spec.plan is not None:
        return runs + spec.plan(spec, executable, saved, root or _common_folder(saved))
    groups: dict[Path, list[Path]] = {}
    for path in saved:
        folder = _config_folder(spec, path, root) if spec.config_files else None
        if spec.config_files and folder is None:
            log.debug("%s: no %s above %s; skipped", spec.name, spec.config_files[0], path)
            continue
        groups.setdefault(folder or root or _common_folder(saved), []).append(path)
    for cwd, members in groups.items():
        for start in range(0, len(members), _BATCH):
            batch = tuple(members[start : start + _BATCH])
            runs.append(Invocation(spec.command(executable, batch), cwd, batch))
    return runs


def _config_folder(spec: ToolSpec, path: Path, root: Path | None) -> Path | None:
    """Return the nearest folder at or above `path` holding one of the tool's config files."""
    for folder in path.resolve().parents:
        if any((folder / name).is_file() for name in spec.config_files):
            return folder
        if root is not None and folder == root.resolve():
            break
    return None


def _common_folder(paths: Sequence[Path]) -> Path:
    return Path(os.path.commonpath([str(path.resolve().parent) for path in paths]))


async def _unsafe_fixes_allowed(spec: ToolSpec, found: Sequence[Diagnostic]) -> set[Path]:
    """The paths among `found` whose unsafe fixes the project lets `spec` offer (reads configs,
    so off the loop, and only when there is such a fix)."""
    check = spec.unsafe_fixes_allowed
    paths = {d.path for d in found if d.fix and d.fix.applicability is Applicability.UNSAFE}
    if check is None or not paths:
        return set()
    return await asyncio.to_thread(lambda: {path for path in paths if check(path)})


def _placed(diagnostic: Diagnostic, file: LintFile, spec: ToolSpec, unsafe_ok: bool) -> Diagnostic:
    """Put a tool's diagnostic on the file as given: its path, code-point columns, context, fix."""
    unit = spec.column_unit
    lines = lines_of(file.text)
    start = lines[diagnostic.line] if diagnostic.line < len(lines) else ""
    end = lines[diagnostic.end_line] if diagnostic.end_line < len(lines) else ""
    column = to_code_points(start, diagnostic.column, unit)
    end_column = to_code_points(end, diagnostic.end_column, unit)
    if (diagnostic.end_line, end_column) < (diagnostic.line, column):
        end_column = column
    return replace(
        diagnostic,
        path=file.path,
        column=column,
        end_column=end_column,
        end_line=max(diagnostic.end_line, diagnostic.line),
        context=context_of(lines, diagnostic.line),
        fix=place_fix(diagnostic.fix, file.text, lines, unit, unsafe_ok=unsafe_ok)
        if diagnostic.fix is not None
        else None,
    )


def _notice_missing(name: str) -> None:
    if name not in _noticed_missing:
        _noticed_missing.add(name)
        log.warning("%s is not installed (not on PATH nor in node_modules/.bin); skipped", name)
