"""Which file an edit means: a safe path under the root, or the one file with its base name.

Models drop folders (`app.py` for `src/app.py`) and write bare names (`Jenkinsfile`). Looks
names up in the caller's tracked list or, without one, under the root; never writes anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.edits.base import Edit, EditKind, FailedEdit, FailureReason
from orchard.errors import PathSafetyError

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


def resolve_target(root: Path, raw: str) -> Path:
    """Return the real path `raw` names under `root`, or raise PathSafetyError saying why not."""
    if not raw.strip() or "\x00" in raw:
        raise PathSafetyError(f"`{raw}` is not a usable file path")
    cleaned = Path(raw.strip().replace("\\", "/"))
    if any(part.lower() == ".git" for part in cleaned.parts):
        raise PathSafetyError(f"`{raw}` is inside `.git/`, which edits may never touch")
    real_root = Path(os.path.realpath(root))
    candidate = cleaned if cleaned.is_absolute() else real_root / cleaned
    real = Path(os.path.realpath(candidate))
    try:
        relative = real.relative_to(real_root)
    except ValueError:
        raise PathSafetyError(
            f"`{raw}` leads outside the project root; use a path relative to the root"
        ) from None
    if not relative.parts:
        raise PathSafetyError(f"`{raw}` is the project root itself, not a file")
    if any(part.lower() == ".git" for part in relative.parts):
        raise PathSafetyError(f"`{raw}` leads into `.git/`, which edits may never touch")
    return real


class Refused(Exception):
    """An edit whose target cannot be told: carries the failure to report."""

    def __init__(self, failure: FailedEdit) -> None:
        super().__init__(failure.message)
        self.failure = failure


def by_base_name(root: Path, edit: Edit, base_names: BaseNames, moved: dict[int, str]) -> Path:
    """The one file named like `edit.path` elsewhere; refuse when none (for guessed names) or
    several match."""
    found = base_names.lookup(edit.path).candidates
    if len(found) == 1:
        moved[edit.index] = edit.path
        return resolve_target(root, found[0])
    if len(found) > 1:
        listed = ", ".join(f"`{path}`" for path in found[:10])
        message = (
            f"{edit.describe()} was refused: `{edit.path}` does not exist and {len(found)} files "
            f"have that name ({listed}). Write the full path of the one you mean."
        )
        raise Refused(FailedEdit(edit.path, edit.index, FailureReason.MISSING_FILE, message))
    if edit.guessed:
        message = (
            f"{edit.describe()} was refused: I read `{edit.path}` as a file name, but no such "
            "file exists, and a bare word never creates a file. To create an extension-less "
            f"file, write its path with a folder, such as `./{edit.path}`."
        )
        raise Refused(FailedEdit(edit.path, edit.index, FailureReason.MISSING_FILE, message))
    return resolve_target(root, edit.path)
