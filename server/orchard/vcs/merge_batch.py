"""Many text merges in one `git merge-tree --write-tree` (merge-ort, diff3 markers) on three small
commits holding only the files to merge (`merge_objects.py`), so git's merge costs what those
files cost, not what the repository does; the merged blobs are read back. Every object goes to a
scratch store (`scratch_objects.py`): nothing is left in the repository, its index, refs or files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.vcs.blobs import BlobReader
from orchard.vcs.git import run_git
from orchard.vcs.merge_objects import SideFile, write_merge_commits
from orchard.vcs.merge_plan import MARKER_BASE, MARKER_OURS, MARKER_SEPARATOR, MARKER_THEIRS_PREFIX
from orchard.vcs.scratch_objects import ScratchObjects

_CONFLICT_STYLE = ("-c", "merge.conflictStyle=diff3")


@dataclass(frozen=True, slots=True)
class TextMerge:
    """One file to merge, at the path the agent's result gives it (for a rename, the snapshot's
    and the user's versions are merged there too, so git needs no rename detection)."""

    path: str
    base: SideFile  # the snapshot's version
    ours: SideFile  # the user's version (its content handed in)
    theirs: SideFile  # the agent's version


def merge_texts(
    root: Path,
    merges: Sequence[TextMerge],
    agent_id: str,
    reader: BlobReader,
    store: ScratchObjects,
) -> dict[str, tuple[bytes, bool]]:
    """Merge each file's user text with the agent's; return path -> (text, has conflicts).

    git runs in `store` (which `reader` must read too), so the objects land there only.
    Markers are relabelled as `git merge-file -L yours -L snapshot -L <agent>` writes them.
    A path whose result git did not produce where expected is left out (the caller falls back).
    """
    merges = [m for m in merges if "\n" not in m.path]  # cat-file names are lines
    if not merges:
        return {}
    commits = write_merge_commits(
        store,
        {m.path: m.base for m in merges},
        {m.path: m.ours for m in merges},
        {m.path: m.theirs for m in merges},
    )
    out = run_git(root, *_CONFLICT_STYLE, "merge-tree", "--write-tree", "-z", "--no-messages",
                  commits.ours, commits.theirs, env=store.env, check=False)  # fmt: skip
    tree, _, rest = out.partition(b"\0")
    tree_id = tree.decode("ascii").strip()
    if not re.fullmatch(r"[0-9a-f]{40,64}", tree_id):
        run_git(root, "merge-tree", "--write-tree", commits.ours, commits.theirs,
                env=store.env)  # raises GitError with git's message  # fmt: skip
    conflicted = {
        os.fsdecode(entry.split(b"\t", 1)[1]) for entry in rest.split(b"\0") if b"\t" in entry
    }
    reader.ask(f"{tree_id}:{m.path}" for m in merges)
    results: dict[str, tuple[bytes, bool]] = {}
    for merge in merges:
        content = reader.get(f"{tree_id}:{merge.path}")
        if content is None:
            continue
        if merge.path in conflicted:
            content = relabel(content, commits.ours, commits.theirs, agent_id)
        results[merge.path] = (content, merge.path in conflicted)
    return results


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
