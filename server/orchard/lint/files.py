"""Which files a lint run covers: expanding folders, skipping vendored, generated and binary files.

Reads only names and a first chunk of each file; never parses or runs anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from orchard.lint.languages import detect_language

MAX_FILE_BYTES = 2_000_000
_SKIPPED_FOLDERS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox",
        ".mypy_cache", ".ruff_cache", ".pytest_cache", "dist", "build", "target", "vendor",
    }
)  # fmt: skip


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """List the files under `paths` that have a known language, folders walked recursively."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(
                    name
                    for name in subfolders
                    if name not in _SKIPPED_FOLDERS and not name.startswith(".")
                )
                found.extend(Path(folder) / name for name in sorted(names) if detect_language(name))
        else:
            found.append(path)
    return found


def read_text(path: Path) -> str | None:
    """Return a file's text, or None when it is missing, too large, binary or not UTF-8."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
