"""Isolation of the commands Orchard starts for agents: the bubblewrap sandbox and process groups.

Pure process plumbing: no git, no SQLite, no models. Callers decide which commands are wrapped.
"""

from orchard.sandbox.bwrap import Sandbox, SandboxChoice, SandboxProbe, choose_sandbox, probe
from orchard.sandbox.processes import (
    GroupRecorder,
    ProcessGroup,
    end_group,
    kill_group,
    start_time,
)

__all__ = [
    "GroupRecorder",
    "ProcessGroup",
    "Sandbox",
    "SandboxChoice",
    "SandboxProbe",
    "choose_sandbox",
    "end_group",
    "kill_group",
    "probe",
    "start_time",
]
