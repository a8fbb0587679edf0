"""Starting linter processes: finding their executables, feeding them, killing them on timeout.

Async subprocesses only (never blocks the loop); each run gets its own process group so a
hung linter and everything it spawned is killed. Knows nothing about any one tool's output.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from orchard.errors import LintError
from orchard.lint.tools.spec import Invocation, ToolOutput
from orchard.sandbox.bwrap import Sandbox

log = logging.getLogger(__name__)

_PROJECT_BIN_DIRS = ("node_modules/.bin", ".venv/bin", "venv/bin")


def find_executable(name: str, root: Path | None, extra: Sequence[Path] = ()) -> str | None:
    """Find `name` in the project's node_modules/.bin or virtualenv, in `extra`, on PATH,
    then beside the Python running Orchard (a venv whose bin folder is not on PATH)."""
    folders: list[Path] = []
    if root is not None:
        folders.extend(root / sub for sub in _PROJECT_BIN_DIRS)
    folders.extend(extra)
    for folder in folders:
        found = shutil.which(name, path=str(folder))
        if found:
            return found
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


async def run_invocation(
    invocation: Invocation, timeout: float, sandbox: Sandbox | None = None
) -> ToolOutput:
    """Run one linter process (inside `sandbox` when given); raise LintError when it cannot
    start or exceeds `timeout`."""
    argv = list(invocation.argv)
    if sandbox is not None:
        argv = sandbox.wrap(argv, invocation.cwd)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=invocation.cwd,
            stdin=asyncio.subprocess.PIPE
            if invocation.stdin is not None
            else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=sys.platform != "win32",
        )
    except OSError as exc:
        raise LintError(f"could not start `{invocation.argv[0]}`: {exc}") from exc
    data = invocation.stdin.encode("utf-8") if invocation.stdin is not None else None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(data), timeout)
    except TimeoutError:
        await _kill(process)
        raise LintError(
            f"`{' '.join(invocation.argv[:3])}` ran longer than {timeout:g}s and was stopped"
        ) from None
    except asyncio.CancelledError:
        await _kill(process)
        raise
    return ToolOutput(
        stdout=stdout.decode("utf-8", errors="replace"),
        stderr=stderr.decode("utf-8", errors="replace"),
        returncode=process.returncode if process.returncode is not None else -1,
        cwd=invocation.cwd,
        files=invocation.files,
    )


async def _kill(process: asyncio.subprocess.Process) -> None:
    """Kill the process and its whole group, then reap it."""
    if process.returncode is None:
        try:
            if sys.platform == "win32":
                process.kill()
            else:
                os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            log.debug("linter process %s was already gone", process.pid)
    await process.wait()
