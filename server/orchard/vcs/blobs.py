"""Reads many git blobs through one `git cat-file --batch` process (a merge plan needs two per
changed file; one process per blob would cost more than the merge). Reads only, never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from orchard.errors import GitError
from orchard.vcs.git import run_git

_MISSING = "0" * 40


def read_blobs(root: Path, names: Iterable[str], *, missing_ok: bool = False) -> dict[str, bytes]:
    """Return the content of every blob named in `names` (ids, or `tree:path`), keyed by name.

    The all-zero id stands for none. A name git cannot find raises GitError, or with
    `missing_ok` is left out of the result.
    """
    wanted = sorted({n for n in names if n and n != _MISSING and "\n" not in n})
    if not wanted:
        return {}
    request = "".join(f"{name}\n" for name in wanted).encode("utf-8", "surrogateescape")
    out = run_git(root, "cat-file", "--batch", input=request)
    found: dict[str, bytes] = {}
    at = 0
    for name in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].decode("utf-8", "replace").rsplit(" ", 2)
        if len(header) != 3 or not header[2].isdigit():  # "<name> missing" or "ambiguous"
            if not missing_ok:
                raise GitError(f"git cat-file could not read {name}: {out[at:end]!r}")
            at = end + 1
            continue
        size = int(header[2])
        if header[1] == "blob":
            found[name] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1  # the content is followed by a newline
    return found
