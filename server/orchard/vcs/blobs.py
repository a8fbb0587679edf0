"""Reads many git blobs through one `git cat-file --batch` process (a merge plan needs two per
changed file; one process per blob would cost more than the merge). Reads only, never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from orchard.errors import GitError
from orchard.vcs.git import run_git

_MISSING = "0" * 40


def read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Return the content of every blob in `shas` (the all-zero id stands for none)."""
    wanted = sorted({sha for sha in shas if sha and sha != _MISSING})
    if not wanted:
        return {}
    out = run_git(root, "cat-file", "--batch", input="".join(f"{s}\n" for s in wanted).encode())
    found: dict[str, bytes] = {}
    at = 0
    for sha in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].decode("ascii", "replace").split(" ")
        if len(header) != 3:
            raise GitError(f"git cat-file could not read blob {sha}: {' '.join(header)}")
        size = int(header[2])
        found[sha] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1  # the content is followed by a newline
    return found
