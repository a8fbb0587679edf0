"""Where an agent's prompt reads files from: its worktree, or the task's snapshot while the
worktree is still being built. Text files only; blocking (callers use a worker thread for git).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from orchard.context.sections import FileText
from orchard.errors import GitError
from orchard.lint.files import MAX_FILE_BYTES, read_text
from orchard.vcs.git import run_git
from orchard.vcs.snapshot import Snapshot


def read_snapshot_files(snapshot: Snapshot, paths: Sequence[str]) -> tuple[FileText, ...]:
    """Read text files as the snapshot holds them (skipping missing, binary or non-UTF-8 ones)."""
    files = []
    for path in dict.fromkeys(paths):
        try:
            data = run_git(snapshot.root, "cat-file", "blob", f"{snapshot.commit}:{path}")
        except GitError:
            continue
        if len(data) > MAX_FILE_BYTES or b"\0" in data[:8192]:
            continue
        try:
            files.append(FileText(path, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return tuple(files)


def read_files(root: Path, paths: Sequence[str]) -> tuple[FileText, ...]:
    """Read text files from a folder (skipping missing, binary or non-UTF-8 ones)."""
    files = []
    for path in dict.fromkeys(paths):
        text = read_text(root / path)
        if text is not None:
            files.append(FileText(path, text))
    return tuple(files)
