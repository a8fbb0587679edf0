"""Three-way merge plans: an agent's commit, taken against its task's snapshot, merged into the
user's current state (files on disk, or unsaved buffer texts) with git's merge (one
`git merge-tree` for all files, `git merge-file` when both sides created one). Computes a
MergePlan and writes nothing: git's objects go to a scratch store removed afterwards; no index,
no ref, no object of the repository's, no file of the user's.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchard.errors import GitError, PathSafetyError
from orchard.vcs.blobs import BlobReader
from orchard.vcs.conflicts import parse_conflicts
from orchard.vcs.environment import git_environment
from orchard.vcs.git import NO_HOOKS, run_git, split_nul
from orchard.vcs.merge_batch import TextMerge, merge_texts
from orchard.vcs.merge_objects import SideFile
from orchard.vcs.merge_plan import (
    ConflictRegion,
    FileChangeKind,
    FilePlan,
    MergePlan,
    is_binary,
)
from orchard.vcs.scratch_objects import ScratchObjects, hash_algorithm, object_id
from orchard.vcs.snapshot import buffer_path

log = logging.getLogger(__name__)

NO_BUFFERS: Mapping[str, str | bytes] = types.MappingProxyType({})
_REGULAR = ("100644", "100755")
_ABSENT = "000000"


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of `git diff --raw` between the snapshot and the agent's commit."""

    status: str  # A, M, D, R, T
    path: str  # the path in the agent's result (for D: the deleted path)
    old_path: str | None  # for renames: the snapshot's path
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str


def plan_merge(
    root: Path,
    task_id: str,
    agent_id: str,
    base_commit: str,
    agent_commit: str,
    buffers: Mapping[str, str | bytes] = NO_BUFFERS,
) -> MergePlan:
    """Merge what `agent_commit` changed since `base_commit` into the user's state at `root`.

    `buffers` maps repo-relative posix paths to unsaved texts that stand in for the files on
    disk. Only paths the agent changed appear. Raise PathSafetyError for a path that leads out
    of `root` (through `.git` or a symlink), GitError when git cannot read the commits.
    """
    root = root.resolve()
    wanted = {buffer_path(raw): _as_bytes(text) for raw, text in buffers.items()}
    # cat-file starts while git diffs; it reads the agent's blobs while this thread reads the
    # user's files and git merges the few files both sides changed.
    with (
        ScratchObjects(root, hash_algorithm(base_commit)) as store,
        BlobReader(root, store.env) as reader,
    ):
        changes = list_changes(root, base_commit, agent_commit)
        reader.ask(c.new_blob for c in changes if c.new_mode != _ABSENT)
        merger = _FileMerger(root, agent_id, wanted, reader)
        merges = [m for m in map(merger.text_merge, changes) if m is not None]
        reader.ask(m.base.blob for m in merges)  # for the binary check, while git merges
        merger.merged = merge_texts(root, merges, agent_id, reader, store)
        files = tuple(merger.plan(change) for change in changes)
    plan = MergePlan(task_id, agent_id, base_commit, agent_commit, files)
    log.info(
        "merge plan of %s/%s: %d files, %d with conflicts",
        task_id,
        agent_id,
        len(files),
        len(plan.conflicts),
    )
    return plan


def list_changes(root: Path, base_commit: str, agent_commit: str) -> list[Change]:
    """Return what the agent's commit changed against the snapshot, renames detected."""
    out = run_git(
        root, "diff", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff", base_commit, agent_commit
    )
    fields = split_nul(out)
    changes: list[Change] = []
    at = 0
    while at < len(fields):
        old_mode, new_mode, old_blob, new_blob, status = fields[at].lstrip(":").split(" ")
        kind = status[0]
        if kind in "RC":
            old_path, path = fields[at + 1], fields[at + 2]
            at += 3
        else:
            old_path, path = None, fields[at + 1]
            at += 2
        if kind == "C":  # a copy leaves its source alone: to the user's tree, a created file
            kind, old_path, old_mode, old_blob = "A", None, _ABSENT, "0" * 40
        changes.append(Change(kind, path, old_path, old_mode, new_mode, old_blob, new_blob))
    return changes


def safe_target(root: Path, path: str) -> Path:
    """Return `root / path` after checking it stays inside `root`; raise PathSafetyError."""
    return PathGuard(root).target(path)


class PathGuard:
    """Checks paths of one root, remembering folders already found to be plain (a plan checks
    hundreds of paths in few folders; resolving each one cost more than the merge)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._top = str(self.root)
        self._plain: set[str] = set()
        self._checked: dict[str, Path] = {}

    def target(self, path: str) -> Path:
        """Return `root / path`; raise PathSafetyError when it leads out of the root."""
        if path in self._checked:
            return self._checked[path]
        parts = path.split("/")
        if any(p.lower() == ".git" for p in parts) or ".." in parts or path.startswith("/"):
            raise PathSafetyError(f"{path!r} goes through .git or out of {self.root}")
        prefix = ""
        for part in parts[:-1]:
            prefix = f"{prefix}/{part}" if prefix else part
            if prefix not in self._plain:
                self._check_link(prefix, path)
                self._plain.add(prefix)
        self._check_link(path, path)
        self._checked[path] = leaf = self.root / path
        return leaf

    def _check_link(self, relative: str, path: str) -> None:
        candidate = os.path.join(self._top, relative)
        if os.path.islink(candidate) and not Path(candidate).resolve().is_relative_to(self.root):
            raise PathSafetyError(
                f"{path!r} leads out of {self.root} through the symlink {candidate}"
            )


class _FileMerger:
    """Plans one changed path at a time; first names the text merges both sides made, which
    git makes in one batch, then builds every path's plan with their results."""

    def __init__(
        self, root: Path, agent_id: str, buffers: dict[str, bytes], reader: BlobReader
    ) -> None:
        self.root = root
        self.guard = PathGuard(root)
        self.agent_id = agent_id
        self.buffers = buffers
        self.reader = reader
        self.merged: dict[str, tuple[bytes, bool]] = {}
        self._read: dict[str, tuple[bytes | None, bool]] = {}

    def ours(self, path: str) -> tuple[bytes | None, bool]:
        """Return the user's content of `path` (None when absent) and whether a buffer gave it;
        read once, so the plan's `current` is what was merged."""
        if path in self.buffers:
            return self.buffers[path], True
        if path not in self._read:
            target = self.guard.target(path)
            try:
                with open(target, "rb") as handle:
                    self._read[path] = handle.read(), False
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                self._read[path] = None, False
        return self._read[path]

    def text_merge(self, change: Change) -> TextMerge | None:
        """Return the merge git must make when both sides changed this file's text, else None."""
        self.guard.target(change.path)
        source = change.old_path or change.path
        ours, _ = self.ours(source)
        modes = (change.old_mode, change.new_mode)
        if ours is None or change.status not in ("M", "R") or not set(modes) <= set(_REGULAR):
            return None
        blob = _blob_id(ours, change)
        if blob in (change.old_blob, change.new_blob) or change.old_blob == change.new_blob:
            return None
        if is_binary(ours):
            return None
        return TextMerge(
            change.path,
            base=SideFile(change.old_mode, change.old_blob),
            ours=SideFile(change.old_mode, blob, ours),
            theirs=SideFile(change.new_mode, change.new_blob),
        )

    def plan(self, change: Change) -> FilePlan:
        """Return the plan of one changed path."""
        self.guard.target(change.path)
        source = change.old_path or change.path
        ours, from_buffer = self.ours(source)
        if not _regular(change.old_mode) or not _regular(change.new_mode):
            return _unmergeable(change, ours, from_buffer)
        if change.status == "D":
            return self.deleted(change, ours, from_buffer)
        theirs = self._blob(change.new_blob)
        if change.status == "A":
            return self.created(change, ours, theirs, from_buffer)
        if change.status == "R" and change.path != source:
            dest, _ = self.ours(change.path)
            if dest is not None and dest != theirs:  # the user made a file where it moves to
                note = f"the agent moved {source} here, where you made another file; yours kept"
                return FilePlan(
                    change.path, FileChangeKind.CONFLICT, dest, dest, binary=is_binary(dest),
                    conflicts=(_markerless(note),),
                )  # fmt: skip
        kind = FileChangeKind.RENAMED if change.status == "R" else FileChangeKind.MODIFIED
        if ours is None:
            return _gone_here(change, self._blob(change.old_blob), theirs, from_buffer)
        blob = _blob_id(ours, change)
        if blob in (change.old_blob, change.new_blob):
            return self._file(change, kind, ours, theirs, from_buffer)
        if change.new_blob == change.old_blob:
            return self._file(change, kind, ours, ours, from_buffer)
        return self.merged_text(change, kind, ours, self._blob(change.old_blob), theirs,
                                from_buffer)  # fmt: skip

    def deleted(self, change: Change, ours: bytes | None, from_buffer: bool) -> FilePlan:
        if ours is None or _blob_id(ours, change) == change.old_blob:
            return self._file(change, FileChangeKind.DELETED, ours, None, from_buffer)
        base = self._blob(change.old_blob)
        region = ConflictRegion(  # no markers: the whole file is the user's
            0,
            0,
            base=_text(base),
            ours=_text(ours),
            theirs="",
            note="the agent deleted this file, which you changed; your version is kept",
        )
        binary = is_binary(ours) or is_binary(base)
        return FilePlan(
            change.path, FileChangeKind.CONFLICT, ours, ours, None, binary, from_buffer, (region,)
        )

    def created(
        self, change: Change, ours: bytes | None, theirs: bytes, from_buffer: bool
    ) -> FilePlan:
        kind = FileChangeKind.CREATED
        if ours is None or ours in (b"", theirs):
            return self._file(change, kind, ours, theirs, from_buffer)
        if theirs == b"":
            return self._file(change, kind, ours, ours, from_buffer)
        # Both sides made the path with different content: merge against an empty base.
        return self.merged_text(change, kind, ours, b"", theirs, from_buffer)

    def merged_text(
        self,
        change: Change,
        kind: FileChangeKind,
        ours: bytes,
        base: bytes,
        theirs: bytes,
        from_buffer: bool,
    ) -> FilePlan:
        """Return the plan of a text both sides changed (merged here when git's batch had not)."""
        if any(is_binary(side) for side in (ours, base, theirs)):
            note = "binary file changed on both sides; yours is kept"
            return FilePlan(
                change.path, FileChangeKind.CONFLICT, ours, ours, change.old_path, binary=True,
                from_buffer=from_buffer, conflicts=(_markerless(note),), mode=_mode(change),
            )  # fmt: skip
        merged = self.merged.get(change.path) if change.status != "A" else None
        if merged is None:
            result, count = merge_file(ours, base, theirs, self.agent_id)
            merged = (result, count > 0)
        result, conflicted = merged
        if not conflicted:  # git merged it cleanly: no region to look for
            return self._file(change, kind, ours, result, from_buffer)
        regions = parse_conflicts(result.decode("utf-8", "surrogateescape"), self.agent_id)
        if not regions:
            return self._file(change, kind, ours, result, from_buffer)
        return FilePlan(
            change.path, FileChangeKind.CONFLICT, ours, result, change.old_path,
            from_buffer=from_buffer, conflicts=regions, mode=_mode(change),
        )  # fmt: skip

    def _blob(self, blob: str) -> bytes:
        content = self.reader.get(blob)
        if content is None:
            raise GitError(f"git has no blob {blob}")
        return content

    def _file(
        self,
        change: Change,
        kind: FileChangeKind,
        ours: bytes | None,
        result: bytes | None,
        from_buffer: bool,
    ) -> FilePlan:
        binary = any(is_binary(side) for side in (ours, result) if side is not None)
        old_path = change.old_path if kind is FileChangeKind.RENAMED else None
        return FilePlan(
            change.path, kind, ours, result, old_path, binary, from_buffer, mode=_mode(change)
        )


def merge_file(ours: bytes, base: bytes, theirs: bytes, agent_id: str) -> tuple[bytes, int]:
    """Run `git merge-file -p --diff3` on three texts; return the result and its conflict count."""
    with tempfile.TemporaryDirectory(prefix="orchard-merge-") as folder:
        names = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = os.path.join(folder, name)
            with open(path, "wb") as handle:
                handle.write(content)
            names.append(path)
        labels = ("-L", "yours", "-L", "snapshot", "-L", agent_id)
        command = ("merge-file", "-p", "--diff3", *labels, *names)
        return _run_merge_file(Path(folder), command)


def _run_merge_file(cwd: Path, command: tuple[str, ...]) -> tuple[bytes, int]:
    done = subprocess.run(
        ["git", *NO_HOOKS, *command], cwd=cwd, env=git_environment(None), capture_output=True
    )
    # merge-file exits with the number of conflicts (capped at 127); negative or >127 is an error
    if done.returncode < 0 or done.returncode > 127:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git merge-file failed: {message or done.returncode}")
    return done.stdout, done.returncode


def _gone_here(change: Change, base: bytes, theirs: bytes, from_buffer: bool) -> FilePlan:
    """The user deleted a file the agent edited: a conflict that keeps it deleted."""
    region = ConflictRegion(
        0,
        0,
        base=_text(base),
        ours="",
        theirs=_text(theirs),
        note="you deleted this file, which the agent changed; it stays deleted",
    )
    return FilePlan(
        change.path, FileChangeKind.CONFLICT, None, None, change.old_path,
        binary=is_binary(theirs), from_buffer=from_buffer, conflicts=(region,),
    )  # fmt: skip


def _unmergeable(change: Change, ours: bytes | None, from_buffer: bool) -> FilePlan:
    """Symlinks and submodules on either side: left to the user, as a conflict without markers."""
    log.info("%s is a symlink or submodule in the agent's change; not merged", change.path)
    note = "the agent changed a symlink or submodule here; Orchard leaves those to you"
    return FilePlan(
        change.path, FileChangeKind.CONFLICT, ours, ours, change.old_path, binary=True,
        from_buffer=from_buffer, conflicts=(_markerless(note),),
    )  # fmt: skip


def _markerless(note: str) -> ConflictRegion:
    """A conflict that has no region of text (binary content, a symlink): no markers written."""
    return ConflictRegion(0, 0, base="", ours="", theirs="", note=note)


def _mode(change: Change) -> str | None:
    """The git mode the result should get, when the agent chose one (a new file, a chmod)."""
    if change.new_mode in _REGULAR and change.new_mode != change.old_mode:
        return change.new_mode
    return None


def _regular(mode: str) -> bool:
    return mode in _REGULAR or mode == _ABSENT


def _blob_id(content: bytes, change: Change) -> str:
    """Return the id git gives `content` as a blob in the repository of `change`."""
    return object_id("blob", content, hash_algorithm(change.old_blob))


def _text(content: bytes) -> str:
    return content.decode("utf-8", "replace")


def _as_bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")
