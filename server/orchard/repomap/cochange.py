"""Co-change: files that changed together in the repository's recent history pull each other up.

Mining is bounded (the last `limit` commits of HEAD, commits touching too many files ignored) and
incremental (each commit is read from git once, then kept in the state database, shared by all
worktrees). It runs `git` itself, in one function, and must not rank or render.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from orchard.memory.tag_cache import TagStore
from orchard.vcs.queries import query_git

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1000
DEFAULT_MAX_FILES = 30
_PARTNERS_KEPT = 24


def _git(root: Path, args: Sequence[str], stdin: str | None = None) -> str | None:
    return query_git(root, args, stdin)  # None (logged) when git cannot say: no co-change


def recent_commits(root: Path, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Return the shas of HEAD's last `limit` non-merge commits, newest first."""
    out = _git(root, ["rev-list", "--no-merges", f"--max-count={limit}", "HEAD"])
    return out.split() if out else []


def read_commits(root: Path, shas: Sequence[str], max_files: int) -> dict[str, tuple[str, ...]]:
    """Read the files each commit changed (empty when more than `max_files`)."""
    if not shas:
        return {}
    out = _git(
        root,
        ["log", "--stdin", "--no-walk", "--no-renames", "--name-only", "--format=%x1e%H"],
        stdin="\n".join(shas) + "\n",
    )
    found: dict[str, tuple[str, ...]] = {}
    for record in (out or "").split("\x1e"):
        lines = [line for line in record.splitlines() if line.strip()]
        if not lines:
            continue
        sha, files = lines[0].strip(), tuple(sorted(set(lines[1:])))
        found[sha] = files if len(files) <= max_files else ()
    return found


def mine_history(
    root: Path,
    store: TagStore | None,
    *,
    limit: int = DEFAULT_LIMIT,
    max_files: int = DEFAULT_MAX_FILES,
) -> list[tuple[str, ...]]:
    """Return the changed-file sets of HEAD's recent commits, reading from git only new ones."""
    shas = recent_commits(root, limit)
    known = store.commits(shas) if store is not None else {}
    missing = [sha for sha in shas if sha not in known]
    if missing:
        mined = read_commits(root, missing, max_files)
        if store is not None:
            store.put_commits(mined)
        known.update(mined)
        log.debug("co-change: read %d new commits", len(mined))
    return [known[sha] for sha in shas if known.get(sha)]


class CoChange:
    """Pairwise co-change strengths from a list of commits' changed-file sets."""

    def __init__(self, commits: Sequence[tuple[str, ...]] = ()) -> None:
        self.commits = [files for files in commits if len(files) >= 2]
        self._by_file: dict[str, list[int]] = defaultdict(list)
        for index, files in enumerate(self.commits):
            for rel_path in files:
                self._by_file[rel_path].append(index)
        self._partners: dict[str, tuple[tuple[str, float], ...]] = {}

    def __len__(self) -> int:
        return len(self.commits)

    def change_counts(self) -> dict[str, int]:
        """Return how many of the kept commits changed each file."""
        return {rel_path: len(indexes) for rel_path, indexes in self._by_file.items()}

    def partners(self, rel_path: str) -> tuple[tuple[str, float], ...]:
        """Return the files that changed with `rel_path`, strongest first (bounded)."""
        cached = self._partners.get(rel_path)
        if cached is not None:
            return cached
        weights: dict[str, float] = defaultdict(float)
        for index in self._by_file.get(rel_path, ()):
            files = self.commits[index]
            share = 1.0 / (len(files) - 1)
            for other in files:
                if other != rel_path:
                    weights[other] += share
        ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
        result = tuple(ranked[:_PARTNERS_KEPT])
        self._partners[rel_path] = result
        return result
