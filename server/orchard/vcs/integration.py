"""Git side of fan-out integration: merge one commit into another with `git merge-tree
--write-tree`, turn its conflicted files into FilePlans (three sides, `git merge-file --diff3`
regions), and commit a tree with chosen contents on `orchard/<task>/integration` through a
temporary index. Never touches the user's index, branch or files; never calls models.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.errors import GitError
from orchard.vcs.git import (
    Identity,
    git_text,
    run_git,
    shared_refs_lock,
    split_nul,
    temporary_index,
    write_commit,
)
from orchard.vcs.merge_plan import ConflictRegion, FileChangeKind, FilePlan
from orchard.vcs.names import INTEGRATION_AGENT, branch_name

log = logging.getLogger(__name__)

INTEGRATION_IDENTITY = Identity("Orchard integration", "integration@orchard.invalid")
MERGE_TREE_GIT = (2, 38)  # `git merge-tree --write-tree` appeared in git 2.38
OURS_LABEL = "integration"
BASE_LABEL = "base"
_VERSION = re.compile(r"(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class TreeMerge:
    """What `git merge-tree` made of two commits: the tree, and its conflicted files."""

    tree: str
    conflicts: tuple[FilePlan, ...]  # CONFLICT plans; `result` has markers (or a survivor)
    modes: dict[str, str]  # file mode of each conflicted path in the result

    @property
    def clean(self) -> bool:
        """Whether git merged every file by itself."""
        return not self.conflicts


def integration_branch(task_id: str) -> str:
    """Return the branch a fan-out task's integration result lives on."""
    return branch_name(task_id, INTEGRATION_AGENT)


def require_merge_tree(cwd: Path) -> None:
    """Raise GitError unless this git has `merge-tree --write-tree` (git >= 2.38)."""
    check_merge_tree_version(git_text(cwd, "--version"))


def check_merge_tree_version(version_text: str) -> None:
    """Raise GitError naming the version when `git --version` says it is older than 2.38."""
    found = _VERSION.search(version_text)
    version = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    if version < MERGE_TREE_GIT:
        wanted = ".".join(map(str, MERGE_TREE_GIT))
        raise GitError(
            f"fan-out integration needs git >= {wanted} (for merge-tree --write-tree);"
            f" this is {version_text.strip()!r}"
        )


def merge_commits(cwd: Path, ours: str, theirs: str, label: str) -> TreeMerge:
    """Merge `theirs` into `ours` (commits; git finds the merge base) without a work tree."""
    done = run_git(
        cwd, "merge-tree", "--write-tree", "-z", "--no-messages", ours, theirs, check=False
    )
    fields = done.split(b"\0")
    tree = fields[0].decode("ascii").strip() if fields else ""
    if not re.fullmatch(r"[0-9a-f]{40,64}", tree):
        raise GitError(f"git merge-tree could not merge {theirs[:12]} into {ours[:12]}")
    stages: dict[str, dict[int, tuple[str, str]]] = {}
    for field in fields[1:]:
        if not field:
            break  # the conflicted-file list ends with an empty field
        info, _, name = field.partition(b"\t")
        mode, oid, stage = info.decode("ascii").split()
        stages.setdefault(split_nul(name)[0], {})[int(stage)] = (mode, oid)
    plans, modes = [], {}
    for path, sides in stages.items():
        plans.append(_conflicted_file(cwd, path, sides, label))
        modes[path] = (sides.get(2) or sides.get(3) or sides[1])[0]
    return TreeMerge(tree, tuple(plans), modes)


def _blob(cwd: Path, side: tuple[str, str] | None) -> bytes | None:
    return None if side is None else run_git(cwd, "cat-file", "blob", side[1])


def _is_text(*blobs: bytes | None) -> bool:
    for blob in blobs:
        if blob is None:
            continue
        if b"\0" in blob[:8192]:
            return False
        try:
            blob.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def _conflicted_file(
    cwd: Path, path: str, sides: dict[int, tuple[str, str]], label: str
) -> FilePlan:
    base, ours, theirs = (_blob(cwd, sides.get(n)) for n in (1, 2, 3))
    if ours is None or theirs is None or not _is_text(base, ours, theirs):
        # Deleted on one side, or binary: no line merge; keep what exists, report it.
        survivor = ours if ours is not None else theirs
        why = "binary on a side" if ours is not None and theirs is not None else "deleted on a side"
        region = ConflictRegion(
            0, 0, _text(base), _text(ours), _text(theirs), note=f"{why}; kept one version"
        )
        return FilePlan(
            path,
            FileChangeKind.CONFLICT,
            ours,
            survivor,
            binary=not _is_text(base, ours, theirs),
            conflicts=(region,),
        )
    merged = merge_file(ours, base or b"", theirs, label)
    regions = parse_conflict_regions(merged.decode("utf-8"), label)
    return FilePlan(path, FileChangeKind.CONFLICT, ours, merged, conflicts=regions)


def _text(blob: bytes | None) -> str:
    return "" if blob is None else blob.decode("utf-8", "replace")


def merge_file(ours: bytes, base: bytes, theirs: bytes, label: str) -> bytes:
    """Return `git merge-file --diff3` of three texts (markers where they conflict)."""
    with tempfile.TemporaryDirectory(prefix="orchard-merge-") as folder:
        names = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(folder) / name).write_bytes(data)
            names.append(name)
        labels = ("-L", OURS_LABEL, "-L", BASE_LABEL, "-L", label)
        command = ("merge-file", "-p", "--diff3", *labels, *names)
        return run_git(Path(folder), *command, check=False)


def parse_conflict_regions(text: str, label: str) -> tuple[ConflictRegion, ...]:
    """Find the diff3 marker regions in `text` (0-based lines; end is after `>>>>>>>`)."""
    lines = text.splitlines(keepends=True)
    regions: list[ConflictRegion] = []
    start: int | None = None
    parts: dict[str, list[str]] = {}
    part = ""
    for number, line in enumerate(lines):
        bare = line.rstrip("\r\n")
        if start is None:
            if bare == f"<<<<<<< {OURS_LABEL}":
                start, parts, part = number, {"ours": [], "base": [], "theirs": []}, "ours"
            continue
        if bare == f"||||||| {BASE_LABEL}" and part == "ours":
            part = "base"
        elif bare == "=======" and part in ("ours", "base"):
            part = "theirs"
        elif bare == f">>>>>>> {label}" and part == "theirs":
            text_of = {k: "".join(v) for k, v in parts.items()}
            regions.append(
                ConflictRegion(
                    start, number + 1, text_of["base"], text_of["ours"], text_of["theirs"]
                )
            )
            start = None
        else:
            parts[part].append(line)
    return tuple(regions)


def commit_merge(
    cwd: Path,
    git_common_dir: Path,
    merge: TreeMerge,
    files: Sequence[FilePlan],
    parents: Sequence[str],
    message: str,
) -> str:
    """Commit `merge.tree` with `files`' results in place of git's; return the commit."""
    tree = merge.tree
    if files:
        with temporary_index(git_common_dir) as index:
            env = {"GIT_INDEX_FILE": str(index)}
            run_git(cwd, "read-tree", merge.tree, env=env)
            for plan in files:
                if plan.result is None:
                    run_git(cwd, "update-index", "--force-remove", "--", plan.path, env=env)
                    continue
                blob = run_git(cwd, "hash-object", "-w", "--stdin", input=plan.result)
                mode = merge.modes.get(plan.path, "100644")
                info = f"{mode},{blob.decode('ascii').strip()},{plan.path}"
                run_git(cwd, "update-index", "--add", "--cacheinfo", info, env=env)
            tree = git_text(cwd, "write-tree", env=env)
    return write_commit(cwd, tree, parents, message, INTEGRATION_IDENTITY)


def move_integration(worktree: Path, git_common_dir: Path, commit: str) -> None:
    """Point the integration worktree (and its branch) at `commit`, files included."""
    with shared_refs_lock(git_common_dir):
        run_git(worktree, "reset", "--hard", "--quiet", commit)
    log.info("integration at %s", commit[:12])


def changed_paths(cwd: Path, base: str, commit: str) -> tuple[str, ...]:
    """Return the paths `commit` changes against `base` (renames as delete + add)."""
    names = run_git(cwd, "diff", "--name-only", "-z", "--no-renames", base, commit)
    return tuple(split_nul(names))


def file_at(cwd: Path, commit: str, path: str) -> bytes | None:
    """Return `path`'s content in `commit`, or None when it is not a file there."""
    listed = run_git(cwd, "ls-tree", "-z", commit, "--", path)
    if b" blob " not in listed:
        return None
    return run_git(cwd, "cat-file", "blob", f"{commit}:{path}")
