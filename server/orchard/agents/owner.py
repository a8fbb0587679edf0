"""Who owns an in-flight agent run: this process's identity, and whether a recorded one lives.

Lets a restarted Orchard tell runs of a dead process from runs of another live one (the
language server and `orchard run` may share a repository). No SQLite, no git.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from orchard.sandbox.processes import proc_stat, start_time


@dataclass(frozen=True, slots=True)
class ProcessOwner:
    """A process, identified well enough to survive pid reuse where the OS allows."""

    host: str
    pid: int
    started: str  # the kernel's start time of the process; "" where it cannot be read

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.started}"

    @classmethod
    def parse(cls, text: str | None) -> ProcessOwner | None:
        """Read an owner back from `str(owner)`; None for missing or malformed text."""
        if not text:
            return None
        parts = text.rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])


def current_owner() -> ProcessOwner:
    """Return the identity of this process."""
    pid = os.getpid()
    return ProcessOwner(socket.gethostname(), pid, start_time(pid))


def is_alive(owner: ProcessOwner | None) -> bool:
    """Return whether `owner` is a process still running on this host (unknown owners are not)."""
    if owner is None or owner.host != socket.gethostname():
        # Another host sharing the repository cannot be checked; its runs are left alone.
        return owner is not None
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists but belongs to someone else
    fields = proc_stat(owner.pid)
    if fields and fields[0] in ("Z", "X"):
        return False  # killed, waiting to be reaped
    started = fields[19] if len(fields) > 19 else ""
    return not (owner.started and started and started != owner.started)
