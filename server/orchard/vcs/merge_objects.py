"""The git objects a batched merge runs on: three small commits (the snapshot's, the user's and the
agent's versions) whose trees hold only the files both sides changed, at their own paths, written
by Orchard into a scratch object store (`scratch_objects.py`) without a git process. Never a ref,
an index, a user's file, nor an object in the repository itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from orchard.vcs.git import SNAPSHOT_IDENTITY
from orchard.vcs.scratch_objects import ScratchObjects, object_id

_TREE_MODE = "40000"
# A fixed date: the same three sides always give the same commits.
_SIGNATURE = f"{SNAPSHOT_IDENTITY.name} <{SNAPSHOT_IDENTITY.email}> 0 +0000"


@dataclass(frozen=True, slots=True)
class SideFile:
    """One file on one side of the merge: its mode and blob, and the blob's content when git
    does not have it yet (the user's texts)."""

    mode: str
    blob: str
    content: bytes | None = None


@dataclass(slots=True)
class _Trees:
    """Trees waiting to be written, children before parents: (id, content) pairs."""

    algorithm: str
    objects: list[tuple[str, bytes]] = field(default_factory=list)

    def add(self, files: Mapping[str, SideFile]) -> str:
        """Add the trees holding `files` (repo-relative paths); return the top tree's id."""
        nested: dict[str, object] = {}
        for path, file in files.items():
            *folders, name = path.split("/")
            at = nested
            for folder in folders:
                child = at.setdefault(folder, {})
                assert isinstance(child, dict)
                at = child
            at[name] = file
        return self._tree(nested)

    def _tree(self, entries: dict[str, object]) -> str:
        rows: list[tuple[bytes, str, str]] = []  # sort key, mode, id
        for name, entry in entries.items():
            encoded = os.fsencode(name)
            if isinstance(entry, SideFile):
                rows.append((encoded, entry.mode, entry.blob))
            else:
                assert isinstance(entry, dict)
                rows.append((encoded + b"/", _TREE_MODE, self._tree(entry)))
        rows.sort()  # git orders a tree's entries by name, a folder's name read as "name/"
        content = b"".join(
            f"{mode} ".encode() + key.rstrip(b"/") + b"\0" + bytes.fromhex(oid)
            for key, mode, oid in rows
        )
        tree_id = object_id("tree", content, self.algorithm)
        self.objects.append((tree_id, content))
        return tree_id


@dataclass(frozen=True, slots=True)
class MergeCommits:
    """The two commits to hand `git merge-tree`; both have the snapshot's side as parent."""

    ours: str
    theirs: str


def write_merge_commits(
    store: ScratchObjects,
    base: Mapping[str, SideFile],
    ours: Mapping[str, SideFile],
    theirs: Mapping[str, SideFile],
) -> MergeCommits:
    """Write the three sides into `store` as commits (base, then ours and theirs on it), with
    the user's texts as blobs; the snapshot's and the agent's blobs are the repository's."""
    algorithm = store.algorithm
    trees = _Trees(algorithm)
    base_tree, ours_tree, theirs_tree = trees.add(base), trees.add(ours), trees.add(theirs)
    base_commit = _commit(base_tree, (), "the snapshot's versions", algorithm)
    ours_commit = _commit(ours_tree, (base_commit[0],), "your current versions", algorithm)
    theirs_commit = _commit(theirs_tree, (base_commit[0],), "the agent's versions", algorithm)
    for file in ours.values():
        if file.content is not None:
            store.write_as(file.blob, "blob", file.content)
    for oid, content in trees.objects:
        store.write_as(oid, "tree", content)
    for oid, content in (base_commit, ours_commit, theirs_commit):
        store.write_as(oid, "commit", content)
    return MergeCommits(ours_commit[0], theirs_commit[0])


def _commit(tree: str, parents: Sequence[str], subject: str, algorithm: str) -> tuple[str, bytes]:
    lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
    lines += [f"author {_SIGNATURE}", f"committer {_SIGNATURE}", ""]
    lines.append(f"Orchard: {subject}, for a merge")
    content = ("\n".join(lines) + "\n").encode("utf-8")
    return object_id("commit", content, algorithm), content
