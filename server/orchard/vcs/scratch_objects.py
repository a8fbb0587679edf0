"""A throw-away object store in front of a repository's own, as git's quarantine for pushes: git
commands run with it as their object directory and the repository's objects as an alternate, so
they read everything and write only into it; Orchard writes loose objects into it directly. It
lives in memory (/dev/shm) when it can and is removed whole afterwards: a merge plan leaves no
object, ref or file behind in the repository.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import zlib
from pathlib import Path

from orchard.vcs.repository import git_common_dir

_MEMORY = "/dev/shm"
_LEVEL = 0  # stored, not compressed: the store lives for one plan, in memory


def hash_algorithm(object_id: str) -> str:
    """Return the hash a repository uses, told by the length of one of its object ids."""
    return "sha256" if len(object_id) == 64 else "sha1"


def object_id(kind: str, content: bytes, algorithm: str) -> str:
    """Return the id git gives an object of `kind` ("blob", "tree", "commit") with `content`."""
    digest = hashlib.new(algorithm, f"{kind} {len(content)}\0".encode("ascii"))
    digest.update(content)
    return digest.hexdigest()


@functools.lru_cache(maxsize=64)
def _objects_folder(root: Path) -> str:
    return str(git_common_dir(root) / "objects")


def objects_folder(root: Path) -> str:
    """Return the object directory of the repository whose work tree is `root` (asked once)."""
    found = _objects_folder(root)
    if not os.path.isdir(found):  # the repository moved or went since it was asked
        _objects_folder.cache_clear()
        found = _objects_folder(root)
    return found


class ScratchObjects:
    """A temporary object directory for one piece of work in `root`; use as a context manager."""

    def __init__(self, root: Path, algorithm: str = "sha1") -> None:
        self.algorithm = algorithm
        self._alternate = objects_folder(root)
        parent = _MEMORY if os.access(_MEMORY, os.W_OK) else None
        self.folder = tempfile.mkdtemp(prefix="orchard-objects-", dir=parent)
        self._fans: set[str] = set()
        self.env = {
            "GIT_OBJECT_DIRECTORY": self.folder,
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": self._alternate,
        }

    def __enter__(self) -> ScratchObjects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the store and every object in it."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, kind: str, content: bytes) -> str:
        """Store an object of `kind` ("blob", "tree", "commit") as git would; return its id."""
        oid = object_id(kind, content, self.algorithm)
        self.write_as(oid, kind, content)
        return oid

    def write_as(self, oid: str, kind: str, content: bytes) -> None:
        """Store an object whose id the caller computed (object_id) already."""
        fan = oid[:2]
        if fan not in self._fans:
            os.makedirs(os.path.join(self.folder, fan), exist_ok=True)
            self._fans.add(fan)
        data = zlib.compress(f"{kind} {len(content)}\0".encode("ascii") + content, _LEVEL)
        path = os.path.join(self.folder, fan, oid[2:])
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            return  # the same id is the same object
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
