"""What a reviewer reads, from git: the diff of a result (an agent's commit, the user's working
tree, or a branch) against its base, with context, and the result's text of each changed file.
Reads only; the working tree is staged through a temporary index, never the user's own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from orchard.errors import GitError, SettingsError
from orchard.vcs.git import (
    git_text,
    index_file,
    inspect_repository,
    run_git,
    split_nul,
    stage_work_tree,
    temporary_index,
)

CONTEXT_LINES = 10
_DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


@dataclass(frozen=True, slots=True)
class ReviewDiff:
    """A result against its base: the diff text, the changed files and their result texts."""

    base: str  # the commit the result is compared with
    result: str  # the result's commit or tree
    diff: str  # unified diff with CONTEXT_LINES of context, a/ and b/ prefixes
    files: tuple[str, ...]  # result-side repo-relative paths that changed (deleted ones too)
    texts: Mapping[str, str | None] = field(default_factory=dict)  # None: deleted or binary
    changed_lines: int = 0  # lines added plus lines removed (binary files count 0)

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not self.files


def commit_review_diff(root: Path, base: str, result: str) -> ReviewDiff:
    """Return the diff of commit (or tree) `result` against commit `base`."""
    return _review_diff(root, base, result)


def working_tree_review_diff(root: Path, base: str = "HEAD") -> ReviewDiff:
    """Return the user's staged, unstaged and untracked-not-ignored changes against `base`."""
    info = inspect_repository(root)
    base_commit = _commit(info.root, base, "--base")
    with temporary_index(info.common_dir, seed=index_file(info.root)) as index:
        stage_work_tree(info.root, index)
        tree = git_text(info.root, "write-tree", env={"GIT_INDEX_FILE": str(index)})
    return _review_diff(info.root, base_commit, tree)


def branch_review_diff(root: Path, branch: str) -> ReviewDiff:
    """Return a branch's changes against its merge base with HEAD."""
    info = inspect_repository(root)
    tip = _commit(info.root, branch, "--branch")
    out = run_git(info.root, "merge-base", "HEAD", tip, check=False)
    if not out.strip():
        raise SettingsError(f"--branch {branch}: it shares no history with HEAD")
    return _review_diff(info.root, out.decode("ascii").strip(), tip)


def _commit(root: Path, ref: str, flag: str) -> str:
    if ref.startswith("-"):
        raise SettingsError(f"{flag} {ref!r} is not a revision")
    out = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if not out.strip():
        raise SettingsError(f"{flag} {ref!r} names no commit in {root}")
    return out.decode("ascii").strip()


def _review_diff(root: Path, base: str, result: str) -> ReviewDiff:
    text = run_git(root, "diff", *_DIFF_OPTIONS, f"-U{CONTEXT_LINES}", "-M", base, result)
    names = split_nul(run_git(root, "diff", "--name-only", "-z", "-M", base, result))
    changed = changed_line_count(root, base, result)
    texts = {name: _result_text(root, result, name) for name in names}
    return ReviewDiff(
        base=base,
        result=result,
        diff=text.decode("utf-8", "replace"),
        files=tuple(names),
        texts=texts,
        changed_lines=changed,
    )


def changed_line_count(root: Path, base: str, result: str) -> int:
    """Return the lines added plus removed from `base` to `result` (binary files count 0)."""
    changed = 0
    numstat = run_git(root, "diff", "--numstat", "-z", "--no-renames", base, result)
    for entry in numstat.split(b"\0"):
        added, _, rest = entry.partition(b"\t")
        removed = rest.partition(b"\t")[0]
        if added.isdigit() and removed.isdigit():
            changed += int(added) + int(removed)
    return changed


def _result_text(root: Path, result: str, path: str) -> str | None:
    try:
        data = run_git(root, "cat-file", "blob", f"{result}:{os.fsencode(path).decode('utf-8')}")
    except (GitError, UnicodeDecodeError):
        return None  # deleted in the result, or not a plain file
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
