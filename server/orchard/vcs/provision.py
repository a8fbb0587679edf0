"""Prepares a fresh agent worktree: copies chosen ignored files in (local config, never secrets
unless named exactly) and runs the repository's setup command (sandboxed where possible, in its
own process group). Does not create worktrees.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from orchard.config import AgentSettings
from orchard.errors import PathSafetyError, WorkspaceError
from orchard.sandbox.bwrap import Sandbox
from orchard.sandbox.processes import GroupRecorder, ProcessGroup, kill_group
from orchard.vcs.environment import INHERITED_GIT_VARIABLES
from orchard.vcs.git import run_git, split_nul

log = logging.getLogger(__name__)

# Matched against file and folder names: a wildcard pattern never copies these in, because a
# worktree's files are shown to models. A pattern naming the exact path still copies them.
SECRET_NAMES = (
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.keystore",
    "*.jks",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".aws",
    ".ssh",
    "*credential*",
    "*secret*",
)
_OUTPUT_TAIL_LINES = 20


@dataclass(frozen=True, slots=True)
class WorktreeSetup:
    """What a new worktree gets before its agent starts."""

    command: str | None = None
    copy_ignored: tuple[str, ...] = ()
    timeout_seconds: float = 600.0
    sandbox: Sandbox | None = None  # where the setup command runs (None: unsandboxed)
    recorder: GroupRecorder | None = field(default=None, compare=False)

    @classmethod
    def from_settings(
        cls,
        settings: AgentSettings,
        sandbox: Sandbox | None = None,
        recorder: GroupRecorder | None = None,
    ) -> WorktreeSetup:
        """Build the setup from the `agents` settings section."""
        return cls(
            command=settings.setup_command,
            copy_ignored=settings.copy_ignored,
            sandbox=sandbox,
            recorder=recorder,
        )


def looks_secret(relative: str) -> bool:
    """Return whether any part of a repo-relative path has a name that usually holds secrets."""
    return any(
        fnmatch.fnmatch(part.lower(), pattern)
        for part in PurePosixPath(relative).parts
        for pattern in SECRET_NAMES
    )


def copy_ignored_files(source: Path, target: Path, patterns: tuple[str, ...]) -> list[str]:
    """Copy ignored files of `source` matching `patterns` into `target`; return what was copied."""
    candidates: dict[str, bool] = {}  # path -> named exactly by a pattern
    for pattern in patterns:
        clean = PurePosixPath(pattern)
        if clean.is_absolute() or ".." in clean.parts:
            raise PathSafetyError(
                f"copy_ignored pattern {pattern!r} must stay inside the repository"
            )
        exact = not any(ch in pattern for ch in "*?[")
        for match in sorted(source.glob(pattern)):
            relative = match.relative_to(source).as_posix()
            if relative.split("/")[0] == ".git":
                continue
            candidates[relative] = candidates.get(relative, False) or exact
    chosen = [p for p in _ignored(source, list(candidates)) if candidates[p] or not looks_secret(p)]
    for skipped in sorted(set(candidates) - set(chosen)):
        log.info("not copying %s into worktrees (tracked, not ignored, or looks secret)", skipped)
    copied: list[str] = []
    for relative in chosen:
        origin, destination = source / relative, target / relative
        if destination.exists() or destination.is_symlink():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir() and not origin.is_symlink():
            shutil.copytree(origin, destination, symlinks=True)
        else:
            shutil.copy2(origin, destination, follow_symlinks=False)
        copied.append(relative)
    return copied


def _ignored(root: Path, paths: list[str]) -> list[str]:
    if not paths:
        return []
    data = b"\0".join(os.fsencode(p) for p in paths) + b"\0"
    out = run_git(root, "check-ignore", "-z", "--stdin", input=data, check=False)
    ignored = set(split_nul(out))
    return [p for p in paths if p in ignored]


def run_setup_command(
    command: str,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    sandbox: Sandbox | None = None,
    recorder: GroupRecorder | None = None,
) -> None:
    """Run the repository's setup command in a new worktree, in its own process group (told to
    `recorder`, killed when it ends) and inside `sandbox` when given; raise WorkspaceError if it
    fails."""
    full_env = {k: v for k, v in os.environ.items() if k not in INHERITED_GIT_VARIABLES}
    full_env.update(env)
    argv = ["/bin/sh", "-c", command]
    if sandbox is not None:
        argv = sandbox.wrap(argv, cwd)
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: ended with everything it spawned
    )
    group = ProcessGroup.of_leader(process.pid, "setup")
    if recorder is not None:
        recorder.started(group)
    try:
        data, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        kill_group(process.pid)
        process.communicate()
        raise WorkspaceError(
            f"setup command `{command}` did not finish within {timeout:g} s in {cwd}"
        ) from exc
    finally:
        kill_group(process.pid)
        process.wait()
        if recorder is not None:
            recorder.ended(group)
    output = data.decode("utf-8", "replace")
    if process.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-_OUTPUT_TAIL_LINES:])
        raise WorkspaceError(
            f"setup command `{command}` failed in {cwd} (exit {process.returncode}):\n{tail}"
        )
    log.debug("setup command `%s` in %s:\n%s", command, cwd, output)


def provision_worktree(
    source: Path, target: Path, setup: WorktreeSetup, env: dict[str, str]
) -> list[str]:
    """Copy ignored files in, then run the setup command; return the files copied."""
    copied = copy_ignored_files(source, target, setup.copy_ignored) if setup.copy_ignored else []
    if setup.command:
        run_setup_command(
            setup.command, target, env, setup.timeout_seconds, setup.sandbox, setup.recorder
        )
    return copied
