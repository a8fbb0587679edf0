"""The checks an agent's edits go through in its worktree: new lint errors (sandboxed, or without
linters that would run code the agent wrote), and the test command (sandboxed where possible,
in its own process group, killed on timeout or cancellation). No model calls; git only to diff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.config import LintSettings
from orchard.lint.diagnostic import Diagnostic, Severity, SourceText
from orchard.lint.pipeline import Isolation, LintPipeline, Target
from orchard.lint.problems import new_problems
from orchard.lint.render import render_problems
from orchard.sandbox.bwrap import Sandbox
from orchard.sandbox.processes import GroupRecorder, ProcessGroup, kill_group
from orchard.vcs.environment import INHERITED_GIT_VARIABLES
from orchard.vcs.worktree import Worktree, diff_worktree

log = logging.getLogger(__name__)

OUTPUT_HEAD_CHARS = 1000
OUTPUT_TAIL_CHARS = 3000
MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """What the test command did: passed or not, its exit code, its trimmed output."""

    passed: bool
    exit_code: int | None
    output: str
    timed_out: bool
    seconds: float

    def feedback(self, command: str) -> str:
        """Return the failure as a message for the model ('' when the tests passed)."""
        if self.passed:
            return ""
        how = (
            f"did not finish within the time limit ({self.seconds:.0f} s)"
            if self.timed_out
            else f"failed with exit code {self.exit_code}"
        )
        return f"The test command `{command}` {how}. Its output:\n\n```\n{self.output}\n```"


@dataclass(frozen=True, slots=True)
class LintCheck:
    """New lint errors of an agent's edits, and the linters refused for running its code."""

    errors: list[Diagnostic]
    refused: tuple[str, ...] = ()


def agent_changes(worktree: Worktree, written: Collection[str]) -> frozenset[str]:
    """Return every repo-relative path the agent changed against the snapshot (blocking git)."""
    changed = diff_worktree(worktree, include_uncommitted=True).paths
    return frozenset(changed) | frozenset(written)


def agent_lint_pipeline(
    settings: LintSettings,
    worktree: Worktree,
    sandbox: Sandbox | None,
    written: Collection[str],
) -> LintPipeline:
    """The pipeline for an agent's worktree: sandboxed, or refusing tools that would run code
    the agent changed (blocking: reads the worktree's diff)."""
    untrusted = frozenset() if sandbox is not None else agent_changes(worktree, written)
    return LintPipeline(settings, root=worktree.path, isolation=Isolation(sandbox, untrusted))


async def lint_changes(
    pipeline: LintPipeline, root: Path, before: Mapping[str, str | None], written: Sequence[str]
) -> LintCheck:
    """Lint the written files; return the errors not there before the edits, and refusals."""
    old: list[Target] = [
        SourceText(root / path, text)
        for path, text in before.items()
        if path in written and text is not None
    ]
    current: list[Target] = [root / path for path in written if (root / path).is_file()]
    if not current:
        return LintCheck([])
    before_report = await pipeline.run(old) if old else None
    after_report = await pipeline.run(current)
    earlier = before_report.diagnostics if before_report else ()
    added = new_problems(earlier, after_report.diagnostics)
    refused = tuple(
        dict.fromkeys((*(before_report.refused if before_report else ()), *after_report.refused))
    )
    return LintCheck([d for d in added if d.severity is Severity.ERROR], refused)


async def new_lint_errors(
    pipeline: LintPipeline, root: Path, before: Mapping[str, str | None], written: Sequence[str]
) -> list[Diagnostic]:
    """Lint the written files and return the errors that were not there before the edits."""
    return (await lint_changes(pipeline, root, before, written)).errors


def lint_feedback(errors: Sequence[Diagnostic], root: Path) -> str:
    """Return new lint errors, each shown in its code, as a message asking the model to fix them."""
    texts: dict[Path, str] = {}
    for path in {error.path for error in errors}:
        try:
            texts[path] = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            log.warning("cannot read %s to show its lint errors: %s", path, exc)
    shown = render_problems(errors, texts, relative_to=root, limit=MAX_REPORTED_PROBLEMS)
    intro = "Your edits applied, but they introduced these errors:"
    return f"{intro}\n\n{shown}\nFix them with further edits."


def trim_output(text: str) -> str:
    """Keep the start and the end of a long output, where commands say what went wrong."""
    if len(text) <= OUTPUT_HEAD_CHARS + OUTPUT_TAIL_CHARS:
        return text
    cut = len(text) - OUTPUT_HEAD_CHARS - OUTPUT_TAIL_CHARS
    head, tail = text[:OUTPUT_HEAD_CHARS], text[-OUTPUT_TAIL_CHARS:]
    return f"{head}\n[... {cut} characters left out ...]\n{tail}"


async def run_test_command(
    command: str,
    cwd: Path,
    timeout: float,
    sandbox: Sandbox | None = None,
    recorder: GroupRecorder | None = None,
) -> TestOutcome:
    """Run `command` through the shell in `cwd` (inside `sandbox` when given), in its own
    process group told to `recorder`; kill the whole group when it ends, times out or is
    cancelled."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_GIT_VARIABLES}
    started = time.monotonic()
    argv = ["/bin/sh", "-c", command]
    if sandbox is not None:
        argv = sandbox.wrap(argv, cwd)
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own process group, so children die with it
    )
    group = ProcessGroup.of_leader(process.pid, "tests")
    if recorder is not None:
        recorder.started(group)
    timed_out = False
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        timed_out = True
        kill_group(process.pid)
        output, _ = await process.communicate()
    except BaseException:
        kill_group(process.pid)
        with contextlib.suppress(Exception):
            await asyncio.shield(process.wait())
        raise
    finally:
        kill_group(process.pid)  # whatever the tests left running in the background
        if recorder is not None:
            recorder.ended(group)
    seconds = time.monotonic() - started
    text = trim_output(output.decode("utf-8", "replace").strip())
    passed = not timed_out and process.returncode == 0
    log.info("test command in %s: exit %s after %.1f s", cwd, process.returncode, seconds)
    return TestOutcome(passed, process.returncode, text, timed_out, seconds)
