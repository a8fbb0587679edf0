"""The bubblewrap sandbox: whether it works here (user namespaces may be off), and the argv that
runs a command with only the worktree and a private /tmp writable and the network cut off.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.errors import SettingsError

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 10.0
INSTALL_HINT = "install bubblewrap (apt-get install bubblewrap)"


@dataclass(frozen=True, slots=True)
class SandboxProbe:
    """Whether bubblewrap runs a command on this machine, and what it said if not."""

    works: bool
    executable: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class Sandbox:
    """bubblewrap for one agent: `writable` folders (and a private /tmp), the rest read-only."""

    executable: str
    writable: tuple[Path, ...]
    network: bool = False
    readable: tuple[Path, ...] = ()  # shown again read-only when under the private /tmp

    def wrap(self, argv: Sequence[str], cwd: Path) -> list[str]:
        """Return `argv` run inside the sandbox, starting in `cwd`."""
        args = [self.executable, *_BASE_ARGS]
        if self.network:
            args.append("--share-net")
        for folder in dict.fromkeys([*self.readable, *_runtime_under_tmp(argv)]):
            real = str(folder.resolve())
            args += ["--ro-bind-try", real, real]
        for folder in self.writable:
            real = str(folder.resolve())
            args += ["--bind", real, real]
        args += ["--setenv", "TMPDIR", "/tmp", "--chdir", str(cwd.resolve()), "--", *argv]
        return args

    def describe(self) -> str:
        """Say in a few words what the sandbox allows."""
        net = "network on" if self.network else "network off"
        return f"bubblewrap: worktree and a private /tmp writable, the rest read-only, {net}"


def _runtime_under_tmp(argv: Sequence[str]) -> list[Path]:
    """What a command needs to start that the private /tmp would hide: the interpreter's
    environments and the command's own install (its `bin/`'s parent: a venv, node_modules)."""
    found = [Path(sys.prefix), Path(sys.base_prefix)]
    if argv:
        located = shutil.which(argv[0])
        if located is not None:
            folder = Path(located).absolute().parent  # node_modules/.bin, not where it links
            found.append(folder.parent if folder.name in ("bin", ".bin") else folder)
    tmp = Path("/tmp")
    return [p for p in found if p.resolve() != tmp and p.resolve().is_relative_to(tmp)]


# The order matters: /tmp becomes a private tmpfs before the worktree (maybe under /tmp) is bound.
_BASE_ARGS = (
    "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
    "--unshare-all", "--die-with-parent",
)  # fmt: skip


@functools.cache
def probe() -> SandboxProbe:
    """Find bubblewrap and run `true` in a sandbox like the agents' (once per process)."""
    executable = shutil.which("bwrap")
    if executable is None:
        return SandboxProbe(False, None, f"bwrap is not on PATH; {INSTALL_HINT}")
    argv = Sandbox(executable, ()).wrap(["true"], Path("/"))
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return SandboxProbe(False, executable, f"bwrap could not run: {exc}")
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        reason = said[0] if said else f"exit {done.returncode}"
        return SandboxProbe(
            False, executable, f"bwrap fails here ({reason}); user namespaces may be disabled"
        )
    return SandboxProbe(True, executable, f"{executable} runs commands in a sandbox")


@dataclass(frozen=True, slots=True)
class SandboxChoice:
    """The sandbox an agent's commands get (None: none), and a note saying why."""

    sandbox: Sandbox | None
    note: str


def choose_sandbox(
    mode: str,
    writable: Sequence[Path],
    network: bool = False,
    readable: Sequence[Path] = (),
) -> SandboxChoice:
    """Pick the sandbox for `agents.sandbox = mode`; raise SettingsError when `bwrap` cannot run.

    `readable` folders (the user's repository) stay visible even when they live under /tmp.
    """
    if mode == "off":
        return SandboxChoice(None, "agents.sandbox is off: commands run unsandboxed")
    found = probe()
    if found.works and found.executable is not None:
        sandbox = Sandbox(found.executable, tuple(writable), network, tuple(readable))
        return SandboxChoice(sandbox, sandbox.describe())
    if mode == "bwrap":
        raise SettingsError(f"agents.sandbox is `bwrap` but {found.detail}")
    log.info("no sandbox for agent commands: %s", found.detail)
    return SandboxChoice(None, f"no sandbox ({found.detail}): commands run unsandboxed")
