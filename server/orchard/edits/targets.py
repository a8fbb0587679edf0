"""Which file an edit means when its path does not exist: the one file with that base name.

Models drop folders (`app.py` for `src/app.py`) and write bare names (`Jenkinsfile`). Looks
names up in the caller's tracked list or, without one, under the root; never writes anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.edits.base import Edit, EditKind

WALK_LIMIT = 50_000  # files looked at under a root without a tracked list
_SKIPPED_FOLDERS = frozenset({".git", "node_modules", ".venv", "__pycache__"})


@dataclass(frozen=True, slots=True)
class Lookup:
    """The files an edit's base name may mean: none, one (use it) or several (refuse)."""

    candidates: tuple[str, ...]


def needs_existing_file(edit: Edit) -> bool:
    """True for an edit that can only change a file that is there (never creates one)."""
    if edit.guessed or edit.kind is EditKind.DELETE:
        return True
    return edit.kind is EditKind.REPLACE and bool(edit.search.strip())


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_FOLDERS)
        base = Path(folder).relative_to(root)
        found.extend((base / name).as_posix() for name in sorted(files))
        if len(found) >= WALK_LIMIT:
            break
    return found


class BaseNames:
    """Base name → relative paths, built once per apply from `tracked` or a walk of `root`."""

    def __init__(self, root: Path, tracked: Sequence[str] | None) -> None:
        self._root = root
        self._tracked = tracked
        self._index: dict[str, list[str]] | None = None

    def lookup(self, raw: str) -> Lookup:
        """Return the files whose base name is the base name of `raw`."""
        if self._index is None:
            self._index = {}
            files = self._tracked if self._tracked is not None else _walk(self._root)
            for path in files:
                self._index.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        name = raw.strip().replace("\\", "/").rsplit("/", 1)[-1]
        return Lookup(tuple(self._index.get(name, ())))
