"""Process groups of the commands Orchard starts: who they are (pid + kernel start time, so a
reused pid is never mistaken for them) and ending them after a crash. Linux /proc where present.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


def proc_stat(pid: int) -> list[str]:
    """Return the fields of /proc/<pid>/stat after the command name ([] where unreadable)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    # The command name is parenthesised and may hold spaces; fields after it split cleanly.
    return stat.rpartition(")")[2].split()


def start_time(pid: int) -> str:
    """Return the kernel's start time of `pid` ("" where it cannot be read)."""
    fields = proc_stat(pid)
    return fields[19] if len(fields) > 19 else ""  # field 22 of the file: starttime


@dataclass(frozen=True, slots=True)
class ProcessGroup:
    """A command started in its own process group (its leader's pid is the group id)."""

    pgid: int
    started: str  # the leader's kernel start time; "" where unknown
    what: str  # "setup", "tests", "lint"

    @classmethod
    def of_leader(cls, pid: int, what: str) -> ProcessGroup:
        """Describe the group a process started with `start_new_session=True` leads."""
        return cls(pid, start_time(pid), what)

    def to_json(self) -> dict[str, Any]:
        """Return the group as journal data."""
        return {"pgid": self.pgid, "started": self.started, "what": self.what}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProcessGroup | None:
        """Read a group back from `to_json` data; None when it is malformed."""
        pgid = data.get("pgid")
        if not isinstance(pgid, int) or pgid <= 1:
            return None
        return cls(pgid, str(data.get("started", "")), str(data.get("what", "")))


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group (gone already is fine; a no-op where there are none)."""
    if not hasattr(os, "killpg"):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def end_group(group: ProcessGroup) -> bool:
    """Kill what is left of `group` if it is still the one Orchard started; return whether killed.

    A leader alive with another start time means its pid was reused, so the old group is empty
    (Linux never hands out a pid still used as a group id) and nothing is killed. A dead leader
    with members left is still the old group for the same reason.
    """
    if group.pgid <= 1 or group.pgid == os.getpgrp():
        return False
    fields = proc_stat(group.pgid)
    if fields and group.started and start_time(group.pgid) != group.started:
        return False
    try:
        os.killpg(group.pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    log.warning("ended leftover %s process group %d", group.what or "command", group.pgid)
    return True


class GroupRecorder(Protocol):
    """Told when a command's process group starts and ends (the journal records both)."""

    def started(self, group: ProcessGroup) -> None:
        """A command started in `group`."""

    def ended(self, group: ProcessGroup) -> None:
        """`group`'s command ended and its group was killed."""
