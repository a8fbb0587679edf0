"""Merge plans as values: what bringing an agent's result into the user's current state would do,
file by file. Plain frozen data shared by the planner (`vcs/merge.py`), the resolver, the CLI and
the language server; must not run git or touch files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class FileChangeKind(StrEnum):
    """What a plan does to one path of the user's working tree."""

    MODIFIED = "modified"  # merged cleanly; `result` is the new content
    CREATED = "created"  # the agent added the file; `result` is its content
    DELETED = "deleted"  # the agent removed the file (the user had not changed it)
    RENAMED = "renamed"  # moved from `old_path` to `path`; `result` is the (merged) content
    CONFLICT = "conflict"  # `result` holds conflict markers (or resolutions) for `conflicts`


MARKER_OURS = "<<<<<<< yours"
MARKER_BASE = "||||||| snapshot"
MARKER_SEPARATOR = "======="
MARKER_THEIRS_PREFIX = ">>>>>>> "  # followed by the agent's name


def is_binary(content: bytes) -> bool:
    """Whether `content` is not UTF-8 text (a NUL byte, or bytes UTF-8 cannot decode)."""
    if b"\0" in content:
        return True
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@dataclass(frozen=True, slots=True)
class ConflictRegion:
    """One region both sides changed differently, in 0-based line numbers of `FilePlan.result`.

    `start_line` is the line of the `<<<<<<<` marker and `end_line` the line after `>>>>>>>`
    while the region is unresolved; once resolved, the lines the resolution occupies.
    """

    start_line: int
    end_line: int
    base: str  # the snapshot's text of the region
    ours: str  # the user's current text of the region
    theirs: str  # the agent's text of the region
    resolution: str | None = None  # the resolver's text, when it was accepted
    note: str | None = None  # why a resolution was refused, or None

    @property
    def resolved(self) -> bool:
        """Whether the resolver settled this region."""
        return self.resolution is not None

    def to_json(self) -> dict[str, Any]:
        """Return the region as a JSON-ready mapping."""
        return {
            "start_line": self.start_line,
            "end_line": self.end_line,
            "resolved": self.resolved,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class FilePlan:
    """What happens to one path: its content now (`current`) and after accepting (`result`).

    Content is bytes; `binary` marks files that are not UTF-8 text (no line merge, no text edit).
    `current` is what the plan was computed against — the unsaved buffer's text when one was
    handed in (`from_buffer`), else the file on disk — so an accept can check nothing moved.
    """

    path: str  # repo-relative posix path after the change
    kind: FileChangeKind
    current: bytes | None  # None when the path does not exist in the user's state
    result: bytes | None  # None when the plan deletes the path
    old_path: str | None = None  # for renames: the path the user's state has now
    binary: bool = False
    from_buffer: bool = False
    conflicts: tuple[ConflictRegion, ...] = ()
    mode: str | None = None  # git mode the result gets ("100644"/"100755"); None keeps the file's

    @property
    def unresolved(self) -> tuple[ConflictRegion, ...]:
        """The conflict regions left as markers."""
        return tuple(c for c in self.conflicts if not c.resolved)

    def with_result(self, result: bytes, conflicts: tuple[ConflictRegion, ...]) -> FilePlan:
        """Return this plan with new content and regions (a resolver settled some)."""
        kind = self.kind
        if kind is FileChangeKind.CONFLICT and all(c.resolved for c in conflicts):
            kind = FileChangeKind.RENAMED if self.old_path else FileChangeKind.MODIFIED
        return replace(self, result=result, conflicts=conflicts, kind=kind)

    def to_json(self) -> dict[str, Any]:
        """Return the file's plan (without contents) as a JSON-ready mapping."""
        return {
            "path": self.path,
            "kind": str(self.kind),
            "old_path": self.old_path,
            "binary": self.binary,
            "from_buffer": self.from_buffer,
            "conflicts": [c.to_json() for c in self.conflicts],
        }


@dataclass(frozen=True, slots=True)
class MergePlan:
    """Every path an agent's result changes, merged against the user's current state."""

    task_id: str
    agent_id: str
    base: str  # the task's snapshot commit
    result: str  # the agent's commit
    files: tuple[FilePlan, ...]

    @property
    def conflicts(self) -> tuple[FilePlan, ...]:
        """Files left with unresolved conflict markers."""
        return tuple(f for f in self.files if f.unresolved)

    @property
    def is_clean(self) -> bool:
        """Whether accepting leaves no conflict markers."""
        return not self.conflicts

    def file(self, path: str) -> FilePlan | None:
        """Return the plan of `path` (its new or old name), or None."""
        return next((f for f in self.files if path in (f.path, f.old_path)), None)

    def to_json(self) -> dict[str, Any]:
        """Return the plan (without contents) as a JSON-ready mapping."""
        return {
            "task": self.task_id,
            "agent": self.agent_id,
            "base": self.base,
            "result": self.result,
            "clean": self.is_clean,
            "files": [f.to_json() for f in self.files],
        }
