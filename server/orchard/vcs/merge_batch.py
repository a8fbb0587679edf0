"""Many text merges in one `git merge-tree --write-tree` (merge-ort, diff3 markers): the user's
versions of the files are written as a tree on a private index and commit off the snapshot,
merged with the agent's commit, and the merged blobs read back. Leaves only unreferenced git
objects behind: never the user's index, refs or files.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.vcs.blobs import read_blobs
from orchard.vcs.git import (
    SNAPSHOT_IDENTITY,
    git_text,
    run_git,
    temporary_index,
    write_commit,
)
from orchard.vcs.merge_plan import MARKER_BASE, MARKER_OURS, MARKER_SEPARATOR, MARKER_THEIRS_PREFIX
from orchard.vcs.repository import git_common_dir

_CONFLICT_STYLE = ("-c", "merge.conflictStyle=diff3")


@dataclass(frozen=True, slots=True)
class TextMerge:
    """One file to merge: where the user's text sits in the snapshot's tree, and where the
    agent's result has it (they differ for renames)."""

    source: str  # the path in the snapshot (and the user's tree)
    path: str  # the path in the agent's commit
    mode: str  # the snapshot's git mode of `source`
    ours: bytes


def merge_texts(
    root: Path, base_commit: str, agent_commit: str, merges: Sequence[TextMerge], agent_id: str
) -> dict[str, tuple[bytes, bool]]:
    """Merge each file's user text with the agent's; return path -> (text, has conflicts).

    Markers are relabelled as `git merge-file -L yours -L snapshot -L <agent>` writes them.
    A path whose result git did not produce where expected is left out (the caller falls back).
    """
    if not merges:
        return {}
    ours_commit = _ours_commit(root, base_commit, merges)
    out = run_git(root, *_CONFLICT_STYLE, "merge-tree", "--write-tree", "-z", "--no-messages",
                  ours_commit, agent_commit, check=False)  # fmt: skip
    tree, _, rest = out.partition(b"\0")
    tree_id = tree.decode("ascii").strip()
    if not re.fullmatch(r"[0-9a-f]{40,64}", tree_id):
        run_git(root, "merge-tree", "--write-tree", ours_commit, agent_commit)  # raises GitError
    conflicted = {
        os.fsdecode(entry.split(b"\t", 1)[1]) for entry in rest.split(b"\0") if b"\t" in entry
    }
    blobs = _blobs_at(root, tree_id, [m.path for m in merges])
    results: dict[str, tuple[bytes, bool]] = {}
    for merge in merges:
        content = blobs.get(merge.path)
        if content is None:
            continue
        if merge.path in conflicted:
            content = relabel(content, ours_commit, agent_commit, agent_id)
        results[merge.path] = (content, merge.path in conflicted)
    return results


def _ours_commit(root: Path, base_commit: str, merges: Sequence[TextMerge]) -> str:
    """Write the snapshot's tree with the user's texts in place, as a commit off the snapshot
    (so merge-tree takes the snapshot as the merge base)."""
    with (
        temporary_index(git_common_dir(root)) as index,
        tempfile.TemporaryDirectory(prefix="orchard-ours-") as folder,
    ):
        env = {"GIT_INDEX_FILE": str(index)}
        run_git(root, "read-tree", base_commit, env=env)
        names = []
        for number, merge in enumerate(merges):
            name = os.path.join(folder, str(number))
            with open(name, "wb") as handle:
                handle.write(merge.ours)
            names.append(name)
        shas = run_git(root, "hash-object", "-w", "--no-filters", "--stdin-paths",
                       input="".join(n + "\n" for n in names).encode()).split()  # fmt: skip
        info = "".join(
            f"{m.mode} {sha.decode('ascii')}\t{m.source}\0"
            for m, sha in zip(merges, shas, strict=True)
        )
        run_git(root, "update-index", "-z", "--index-info", env=env, input=os.fsencode(info))
        tree = git_text(root, "write-tree", env=env)
    message = "Orchard: the user's current state, for a merge\n"
    return write_commit(root, tree, [base_commit], message, SNAPSHOT_IDENTITY)


def _blobs_at(root: Path, tree: str, paths: Sequence[str]) -> dict[str, bytes]:
    """Read `tree:path` for each path (one cat-file process); missing paths are left out."""
    contents = read_blobs(root, [f"{tree}:{path}" for path in paths], missing_ok=True)
    return {name.split(":", 1)[1]: content for name, content in contents.items()}


def relabel(content: bytes, ours_label: str, theirs_label: str, agent_id: str) -> bytes:
    """Rewrite merge-tree's marker labels (commit ids) into yours / snapshot / the agent."""
    lines = content.split(b"\n")
    ours, theirs = f"<<<<<<< {ours_label}".encode(), f">>>>>>> {theirs_label}".encode()
    inside = False
    for number, line in enumerate(lines):
        bare = line.rstrip(b"\r")
        ending = line[len(bare) :]
        if bare == ours:
            lines[number], inside = MARKER_OURS.encode() + ending, True
        elif inside and re.fullmatch(rb"\|{7} [0-9a-f]{4,64}", bare):
            lines[number] = MARKER_BASE.encode() + ending
        elif inside and bare == MARKER_SEPARATOR.encode():
            continue
        elif inside and bare == theirs:
            lines[number], inside = (MARKER_THEIRS_PREFIX + agent_id).encode() + ending, False
    return b"\n".join(lines)
