"""The git objects a batched merge runs on: three small commits (the snapshot's, the user's and the
agent's versions) whose trees hold only the files both sides changed, at their own paths. Ids
are computed here, so git's three writers (`hash-object`, `mktree`) run at once, and git's
answers are checked against them. Writes objects only: never a ref, an index or a user's file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from orchard.errors import GitError
from orchard.vcs.git import SNAPSHOT_IDENTITY, run_git

_TREE_MODE = "40000"
# A fixed date: the same three sides give the same commits, so planning again writes nothing new.
_SIGNATURE = f"{SNAPSHOT_IDENTITY.name} <{SNAPSHOT_IDENTITY.email}> 0 +0000"


def hash_algorithm(object_id: str) -> str:
    """Return the hash a repository uses, told by the length of one of its object ids."""
    return "sha256" if len(object_id) == 64 else "sha1"


def object_id(kind: str, content: bytes, algorithm: str) -> str:
    """Return the id git gives an object of `kind` ("blob", "tree", "commit") with `content`."""
    digest = hashlib.new(algorithm, f"{kind} {len(content)}\0".encode("ascii"))
    digest.update(content)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class SideFile:
    """One file on one side of the merge: its mode and blob, and the blob's content when git
    does not have it yet (the user's texts), with the file on disk it was read from."""

    mode: str
    blob: str
    content: bytes | None = None
    source: Path | None = None


@dataclass(slots=True)
class _Trees:
    """Trees waiting to be written, children before parents, as `git mktree --batch` input."""

    algorithm: str
    listings: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

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
        rows: list[tuple[bytes, str, str, str, str]] = []  # sort key, mode, type, id, name
        for name, entry in entries.items():
            encoded = os.fsencode(name)
            if isinstance(entry, SideFile):
                rows.append((encoded, entry.mode, "blob", entry.blob, name))
            else:
                assert isinstance(entry, dict)
                rows.append((encoded + b"/", _TREE_MODE, "tree", self._tree(entry), name))
        rows.sort()  # git orders a tree's entries by name, a folder's name read as "name/"
        content = b"".join(
            f"{mode} ".encode() + key.rstrip(b"/") + b"\0" + bytes.fromhex(oid)
            for key, mode, _, oid, _ in rows
        )
        tree_id = object_id("tree", content, self.algorithm)
        self.listings.append("".join(f"{m} {t} {o}\t{n}\n" for _, m, t, o, n in rows))
        self.ids.append(tree_id)
        return tree_id


@dataclass(frozen=True, slots=True)
class MergeCommits:
    """The two commits to hand `git merge-tree`; both have the snapshot's side as parent."""

    ours: str
    theirs: str


def write_merge_commits(
    root: Path,
    base: Mapping[str, SideFile],
    ours: Mapping[str, SideFile],
    theirs: Mapping[str, SideFile],
) -> MergeCommits:
    """Write the three sides as commits (base, then ours and theirs on it); raise GitError."""
    algorithm = hash_algorithm(next(iter(base.values())).blob)
    trees = _Trees(algorithm)
    base_tree, ours_tree, theirs_tree = trees.add(base), trees.add(ours), trees.add(theirs)
    base_commit = _commit(base_tree, (), "the snapshot's versions", algorithm)
    ours_commit = _commit(ours_tree, (base_commit[0],), "your current versions", algorithm)
    theirs_commit = _commit(theirs_tree, (base_commit[0],), "the agent's versions", algorithm)
    new_blobs = [f for f in ours.values() if f.content is not None]
    with (
        tempfile.TemporaryDirectory(prefix="orchard-merge-") as folder,
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        scratch = Path(folder)
        commits = pool.submit(
            _write_files, root, "commit", [base_commit, ours_commit, theirs_commit], scratch
        )
        written_trees = pool.submit(_mktree, root, trees)
        _write_blobs(root, new_blobs, scratch)
        commits.result()
        written_trees.result()
    return MergeCommits(ours_commit[0], theirs_commit[0])


def _commit(tree: str, parents: Sequence[str], subject: str, algorithm: str) -> tuple[str, bytes]:
    lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
    lines += [f"author {_SIGNATURE}", f"committer {_SIGNATURE}", ""]
    lines.append(f"Orchard: {subject}, for a merge")
    content = ("\n".join(lines) + "\n").encode("utf-8")
    return object_id("commit", content, algorithm), content


def _mktree(root: Path, trees: _Trees) -> None:
    listing = "\n".join(trees.listings).encode("utf-8", "surrogateescape")
    out = run_git(root, "mktree", "--batch", "--missing", input=listing).decode("ascii").split()
    _check(out, trees.ids, "mktree")


def _write_blobs(root: Path, files: Sequence[SideFile], scratch: Path) -> None:
    """Write the user's texts as blobs: straight from their files when still unchanged there,
    else (unsaved buffers, files that moved since they were read) from copies in `scratch`."""
    on_disk = [f for f in files if f.source is not None and "\n" not in str(f.source)]
    written: list[str] = []
    if on_disk:
        paths = "".join(f"{f.source}\n" for f in on_disk)
        written = _hash_paths(root, "blob", paths)
    moved = [f for f, got in zip(on_disk, written, strict=True) if got != f.blob]
    copies = [f for f in files if f.source is None or "\n" in str(f.source)] + moved
    _write_files(root, "blob", [(f.blob, f.content or b"") for f in copies], scratch)


def _write_files(
    root: Path, kind: str, objects: Sequence[tuple[str, bytes]], scratch: Path
) -> None:
    """Write `objects` (id, content) of one kind through files in `scratch`, checking the ids."""
    if not objects:
        return
    names = []
    for number, (oid, content) in enumerate(objects):
        name = scratch / f"{kind}-{number}-{oid}"
        name.write_bytes(content)
        names.append(f"{name}\n")
    _check(_hash_paths(root, kind, "".join(names)), [oid for oid, _ in objects], "hash-object")


def _hash_paths(root: Path, kind: str, paths: str) -> list[str]:
    out = run_git(root, "hash-object", "-w", "--no-filters", "-t", kind, "--stdin-paths",
                  input=os.fsencode(paths))  # fmt: skip
    return out.decode("ascii").split()


def _check(written: Sequence[str], expected: Sequence[str], command: str) -> None:
    if list(written) != list(expected):
        raise GitError(f"git {command} wrote objects other than the ones Orchard computed")
