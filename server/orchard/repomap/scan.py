"""Which files of a workspace the map covers, and how each one's bytes may be read.

Lists files the way git sees them (tracked plus untracked, minus `.gitignore`), then drops
`.orchardignore` and `repomap.exclude` patterns; decides per file whether its tags can be read
(size, binary, encoding). It reads files but must not parse them.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchard.vcs.queries import work_tree_files

if TYPE_CHECKING:
    import pathspec

log = logging.getLogger(__name__)

ORCHARDIGNORE = ".orchardignore"
SCAN_RULES = "2"  # bump when classify_bytes decides differently: cached file stats are dropped
_BINARY_SNIFF = 8192
# Bundles and generated code: lines this long on average make no sense to show or link by name.
_MINIFIED_LINE = 300
_MINIFIED_MIN_BYTES = 4096
# Folders never worth walking when the workspace is not a git repository.
_WALK_SKIP = frozenset({".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".hg"})


class FileStatus(enum.StrEnum):
    """What the map can do with one file's bytes."""

    SOURCE = "source"  # read and tagged (when its language has a query)
    TOO_LARGE = "too-large"  # listed by path only
    NOT_UTF8 = "not-utf8"  # listed by path only
    MINIFIED = "minified"  # generated or minified (very long lines): listed by path only
    BINARY = "binary"  # left out of the map
    MISSING = "missing"  # listed by git but gone from disk


@dataclass(frozen=True, slots=True)
class FileContent:
    """One file's bytes (when readable) and what the map may do with them."""

    status: FileStatus
    data: bytes | None = None


class IgnoreRules:
    """Orchard's own exclusions on top of git's: `.orchardignore` and `repomap.exclude`."""

    def __init__(self, root: Path, exclude: Sequence[str] = ()) -> None:
        lines = list(exclude)
        ignore_file = root / ORCHARDIGNORE
        if ignore_file.is_file():
            try:
                lines.extend(ignore_file.read_text("utf-8", errors="replace").splitlines())
            except OSError as exc:
                log.warning("could not read %s: %s", ignore_file, exc)
        self._spec: pathspec.GitIgnoreSpec | None = None
        if any(line.strip() and not line.startswith("#") for line in lines):
            # Imported here (9 ms): most trees have no rules, and parsing workers list nothing.
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(lines)

    def ignores(self, rel_path: str) -> bool:
        """Tell whether `rel_path` (posix, relative to the root) is excluded."""
        return self._spec is not None and self._spec.match_file(rel_path)


def list_files(root: Path, exclude: Sequence[str] = ()) -> list[str]:
    """Return the workspace's files (posix, relative, sorted), respecting every ignore rule."""
    listed = _git_ls_files(root)
    if listed is None:
        listed = _walk(root)
    rules = IgnoreRules(root, exclude)
    return sorted(path for path in set(listed) if not rules.ignores(path))


def filter_unignored(root: Path, rel_paths: Iterable[str], exclude: Sequence[str] = ()) -> set[str]:
    """Return those of `rel_paths` that the map would list (git's and Orchard's rules)."""
    wanted = sorted(set(rel_paths))
    if not wanted:
        return set()
    listed = _git_ls_files(root, wanted)
    kept = set(wanted) if listed is None else set(listed) & set(wanted)
    rules = IgnoreRules(root, exclude)
    return {path for path in kept if not rules.ignores(path)}


def _git_ls_files(root: Path, paths: Sequence[str] = ()) -> list[str] | None:
    listed = work_tree_files(root, paths)
    if listed is None:
        log.info("walking %s instead of asking git", root)
    return listed


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _WALK_SKIP)
        base = Path(folder).relative_to(root)
        found.extend((base / name).as_posix() for name in names)
    return found


def read_content(path: Path, max_bytes: int) -> FileContent:
    """Read one file for tagging, or say why its tags cannot be read (never raises)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            log.info("%s is larger than %d bytes; listed by path only", path, max_bytes)
            return FileContent(FileStatus.TOO_LARGE)
        data = path.read_bytes()
    except FileNotFoundError:
        return FileContent(FileStatus.MISSING)
    except OSError as exc:
        log.warning("could not read %s: %s", path, exc)
        return FileContent(FileStatus.MISSING)
    return classify_bytes(data, max_bytes, str(path))


def classify_bytes(data: bytes, max_bytes: int, label: str = "") -> FileContent:
    """Say whether these bytes can be tagged: not too large, not binary, valid UTF-8."""
    if len(data) > max_bytes:
        log.info("%s is larger than %d bytes; listed by path only", label, max_bytes)
        return FileContent(FileStatus.TOO_LARGE)
    if b"\0" in data[:_BINARY_SNIFF]:
        log.debug("%s looks binary; left out of the map", label)
        return FileContent(FileStatus.BINARY)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        log.info("%s is not UTF-8; listed by path only", label)
        return FileContent(FileStatus.NOT_UTF8)
    if len(data) > _MINIFIED_MIN_BYTES and len(data) > _MINIFIED_LINE * (data.count(b"\n") + 1):
        log.debug("%s looks minified; listed by path only", label)
        return FileContent(FileStatus.MINIFIED)
    return FileContent(FileStatus.SOURCE, data)
