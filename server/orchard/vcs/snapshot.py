"""Snapshots of the user's working state (HEAD + staged, unstaged, untracked-not-ignored files +
unsaved buffers) as a commit kept alive by `refs/orchard/tasks/<task>/base`.
Written through a temporary index: the user's branch, index, work tree and stash are never touched.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from orchard.errors import GitError, PathSafetyError, WorkspaceError
from orchard.vcs.git import (
    SNAPSHOT_IDENTITY,
    git_text,
    index_file,
    inspect_repository,
    run_git,
    shared_refs_lock,
    split_nul,
    stage_work_tree,
    temporary_index,
    write_commit,
)
from orchard.vcs.names import check_id

log = logging.getLogger(__name__)

NO_BUFFERS: Mapping[str, str | bytes] = types.MappingProxyType({})
_REGULAR_MODES = ("100644", "100755")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The user's working state for one task, as a commit whose parent is the user's HEAD."""

    task_id: str
    root: Path
    commit: str
    ref: str
    head: str
    branch: str | None  # the user's branch when taken; None when HEAD was detached
    changed_paths: tuple[str, ...]  # repo-relative posix paths that differ from HEAD

    @property
    def is_clean(self) -> bool:
        """Whether the snapshot holds nothing that HEAD does not."""
        return not self.changed_paths


def snapshot_ref(task_id: str) -> str:
    """Return the ref that keeps a task's snapshot alive."""
    return f"refs/orchard/tasks/{check_id(task_id, 'task id')}/base"


def create_snapshot(
    repo_root: Path,
    task_id: str,
    buffers: Mapping[str, str | bytes] = NO_BUFFERS,
) -> Snapshot:
    """Write the working state of `repo_root` plus unsaved `buffers` as a commit; return it.

    `buffers` maps repo-relative posix paths to their unsaved text; a buffer for a path that
    does not exist on disk adds it, one for an ignored path is left out like the file would be.
    """
    ref = snapshot_ref(task_id)
    info = inspect_repository(repo_root)
    root, shared, head, branch = info.root, info.common_dir, info.head, info.branch
    with temporary_index(shared, seed=index_file(root)) as index:
        env = {"GIT_INDEX_FILE": str(index)}
        stage_work_tree(root, index)
        _stage_buffers(root, env, buffers)
        tree = git_text(root, "write-tree", env=env)
    changed = split_nul(
        run_git(root, "diff-tree", "-r", "-z", "--name-only", "--no-renames", head, tree)
    )
    message = _message(task_id, branch, head)
    commit = write_commit(root, tree, [head], message, SNAPSHOT_IDENTITY)
    with shared_refs_lock(shared):
        run_git(root, "update-ref", "-m", f"orchard: snapshot for task {task_id}", ref, commit)
    log.info(
        "snapshot %s of %s for task %s: %d changed paths", commit[:12], root, task_id, len(changed)
    )
    return Snapshot(task_id, root, commit, ref, head, branch, tuple(changed))


def load_snapshot(repo_root: Path, task_id: str) -> Snapshot:
    """Return the snapshot kept for `task_id`; raise WorkspaceError when there is none."""
    ref = snapshot_ref(task_id)
    root = inspect_repository(repo_root).root
    out = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if not out.strip():
        raise WorkspaceError(f"task {task_id} has no snapshot (it was discarded or never made)")
    commit = out.decode("ascii").strip()
    head = git_text(root, "rev-parse", f"{commit}^")
    body = git_text(root, "log", "-1", "--format=%B", commit)
    branch = None
    for line in body.splitlines():
        if line.startswith("Orchard-Branch: "):
            branch = line.removeprefix("Orchard-Branch: ").strip() or None
    changed = split_nul(
        run_git(root, "diff-tree", "-r", "-z", "--name-only", "--no-renames", head, commit)
    )
    return Snapshot(task_id, root, commit, ref, head, branch, tuple(changed))


def _message(task_id: str, branch: str | None, head: str) -> str:
    lines = [f"Orchard snapshot for task {task_id}", "", f"Orchard-Task: {task_id}"]
    lines.append(f"Orchard-Branch: {branch}" if branch else f"Orchard-Detached-Head: {head}")
    return "\n".join(lines) + "\n"


def buffer_path(raw: str) -> str:
    """Check a buffer's repo-relative path and return it normalized; raise PathSafetyError."""
    path = PurePosixPath(raw.replace("\\", "/"))
    parts = [p for p in path.parts if p not in ("", ".")]
    if path.is_absolute() or not parts or ".." in parts:
        raise PathSafetyError(f"buffer path {raw!r} must be relative to the repository root")
    if any(p.lower() == ".git" for p in parts):
        raise PathSafetyError(f"buffer path {raw!r} goes through .git")
    return "/".join(parts)


def _stage_buffers(root: Path, env: dict[str, str], buffers: Mapping[str, str | bytes]) -> None:
    if not buffers:
        return
    wanted = {buffer_path(raw): text for raw, text in buffers.items()}
    literal = {**env, "GIT_LITERAL_PATHSPECS": "1"}
    parents = {
        path: [path.rsplit("/", n)[0] for n in range(1, path.count("/") + 1)] for path in wanted
    }
    modes = _index_modes(
        root, literal, sorted({*wanted, *(p for ps in parents.values() for p in ps)})
    )
    # A path under a file or a submodule in git cannot be added (and makes check-ignore fail).
    blocked = {path for path, above in parents.items() if any(p in modes for p in above)}
    ignored = _ignored(root, env, [p for p in wanted if p not in modes and p not in blocked])
    lines: list[bytes] = []
    for path, text in wanted.items():
        mode = modes.get(path, "100644")
        if path in blocked:
            log.warning("buffer %s lies under a file or submodule in git; left out", path)
            continue
        if path in ignored:
            log.info("buffer %s is ignored by git; left out of the snapshot", path)
            continue
        if mode not in _REGULAR_MODES:
            log.warning("buffer %s is a symlink, a submodule or inside one; left out", path)
            continue
        data = text.encode("utf-8") if isinstance(text, str) else text
        # --path applies the path's attributes (eol, filters) exactly as `git add` would.
        out = run_git(root, "hash-object", "-w", "--stdin", "--path", path, input=data)
        sha = out.decode("ascii").strip()
        lines.append(f"{mode} {sha}\t".encode() + path.encode("utf-8", "surrogateescape"))
    if lines:
        run_git(
            root, "update-index", "-z", "--index-info", env=env, input=b"\0".join(lines) + b"\0"
        )


def _index_modes(root: Path, env: dict[str, str], paths: list[str]) -> dict[str, str]:
    """Map each path to its mode in the index; paths git refuses (inside a submodule) map to ""."""
    try:
        out = run_git(root, "ls-files", "-s", "-z", "--", *paths, env=env)
    except GitError:
        if len(paths) == 1:
            return {paths[0]: ""}
        modes: dict[str, str] = {}
        for path in paths:
            modes.update(_index_modes(root, env, [path]))
        return modes
    modes = {}
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        modes[name.decode("utf-8", "surrogateescape")] = meta.split(b" ")[0].decode("ascii")
    return modes


def _ignored(root: Path, env: dict[str, str], paths: list[str]) -> set[str]:
    if not paths:
        return set()
    data = b"\0".join(p.encode("utf-8") for p in paths) + b"\0"
    out = run_git(root, "check-ignore", "-z", "--stdin", env=env, input=data, check=False)
    return set(split_nul(out))
