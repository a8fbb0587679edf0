"""Which linters would run code the agent wrote: a config that is a program (eslint.config.js),
a plugin module a config names (flake8 local plugins), an executable inside the worktree.

Used only when there is no sandbox: such a linter is refused for that run, with the reason.
Reads files; never runs anything.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath

# Relative modules a JavaScript file loads: require("./x"), import ... from "../y", import("./z").
_RELATIVE_IMPORT = re.compile(
    r"""(?:require\s*\(|import\s*\(|from\s+|import\s+)\s*["'](\.{1,2}/[^"']+)["']"""
)
_JS_SUFFIXES = ("", ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".json", "/index.js")
_MAX_IMPORT_DEPTH = 8


def executable_refusal(executable: str, root: Path, changed: Collection[str]) -> str | None:
    """Refuse an executable inside the worktree when the agent changed its folder's files."""
    try:
        relative = Path(executable).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None  # installed outside the worktree
    top = relative.split("/")[0]
    if any(path == top or path.startswith(f"{top}/") for path in changed):
        return f"its executable {relative} lies under {top}/, which the agent changed"
    return None


def changed_named(changed: Collection[str], names: Iterable[str]) -> list[str]:
    """Return the changed paths whose file name is one of `names` or matches a `*` pattern."""
    patterns = [re.compile(re.escape(name).replace(r"\*", ".*") + "$") for name in names]
    return sorted(p for p in changed if any(rx.match(PurePosixPath(p).name) for rx in patterns))


def local_imports(root: Path, start: Iterable[str]) -> set[str]:
    """Return the repo-relative JavaScript files `start` load by relative paths, transitively."""
    seen: set[str] = set()
    frontier = list(start)
    for _ in range(_MAX_IMPORT_DEPTH):
        found: list[str] = []
        for relative in frontier:
            try:
                text = (root / relative).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            folder = PurePosixPath(relative).parent
            for spec in _RELATIVE_IMPORT.findall(text):
                for candidate in _candidates(folder, spec):
                    if candidate not in seen:
                        seen.add(candidate)
                        found.append(candidate)
        if not found:
            break
        frontier = found
    return seen


def _candidates(folder: PurePosixPath, spec: str) -> list[str]:
    parts: list[str] = []
    for part in (folder / spec).parts:
        if part == "..":
            if not parts:
                return []  # leaves the repository: not the agent's file
            parts.pop()
        elif part != ".":
            parts.append(part)
    base = "/".join(parts)
    return [base + suffix for suffix in _JS_SUFFIXES]


def flake8_plugin_paths(root: Path, names: Iterable[str]) -> list[str] | None:
    """Return the `paths` of flake8 local plugins declared in `root`'s configs (None: none)."""
    declared: list[str] | None = None
    for name in names:
        parser = configparser.RawConfigParser()
        try:
            parser.read(root / name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            return ["."]  # unreadable: assume the worst
        if parser.has_section("flake8:local-plugins"):
            raw = parser.get("flake8:local-plugins", "paths", fallback=".")
            declared = (declared or []) + [p.strip() for p in re.split(r"[,\s]+", raw) if p.strip()]
    return declared
