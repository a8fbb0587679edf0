"""An agent's result file by file against its task's snapshot: both texts and git's unified diff
of each changed path, for a front door to show. Reads git objects only; writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchard.vcs.blobs import read_blobs
from orchard.vcs.git import run_git
from orchard.vcs.merge import list_changes
from orchard.vcs.merge_plan import is_binary

_ABSENT = "000000"
_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/",
                 "--dst-prefix=b/", "-M")  # fmt: skip


@dataclass(frozen=True, slots=True)
class FileDiff:
    """One path the agent changed: the snapshot's text, the agent's text and the diff."""

    path: str
    old_path: str | None  # the snapshot's path, for renames
    base: str | None  # None when absent in the snapshot or binary
    result: str | None  # None when the agent deleted it or it is binary
    diff: str
    binary: bool

    def to_json(self) -> dict[str, Any]:
        """Return the diff as a JSON-ready mapping."""
        return {
            "path": self.path,
            "old_path": self.old_path,
            "base": self.base,
            "result": self.result,
            "diff": self.diff,
            "binary": self.binary,
        }


def file_diffs(root: Path, base_commit: str, agent_commit: str) -> list[FileDiff]:
    """Return every path `agent_commit` changed since `base_commit`, with texts and diffs."""
    changes = list_changes(root, base_commit, agent_commit)
    blobs = read_blobs(root, [b for c in changes for b in (c.old_blob, c.new_blob)])
    diffs: list[FileDiff] = []
    for change in changes:
        base = blobs.get(change.old_blob) if change.old_mode != _ABSENT else None
        result = blobs.get(change.new_blob) if change.new_mode != _ABSENT else None
        binary = any(is_binary(side) for side in (base, result) if side is not None)
        paths = [p for p in (change.old_path, change.path) if p]
        text = run_git(root, "diff", *_DIFF_OPTIONS, base_commit, agent_commit, "--", *paths)
        diffs.append(
            FileDiff(
                change.path,
                change.old_path,
                None if binary or base is None else base.decode("utf-8"),
                None if binary or result is None else result.decode("utf-8"),
                text.decode("utf-8", "replace"),
                binary,
            )
        )
    return diffs
