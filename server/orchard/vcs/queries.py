"""Read-only git queries that other packages ask (the repo map's file listing, history and
the size of git's index): each answers None, with a log line, when git or the repository is
not there, instead of raising. Same environment hygiene as every other git call; never writes.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from pathlib import Path

from orchard.vcs.environment import git_environment

log = logging.getLogger(__name__)


def query_git(root: Path, args: Sequence[str], stdin: str | None = None) -> str | None:
    """Return the text output of `git <args>` in `root` (paths unquoted), or None on failure."""
    command = ["git", "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(
            command,
            cwd=root,
            env=git_environment(),
            input=stdin,
            capture_output=True,
            text=True,
            errors="surrogateescape",
            check=False,
        )
    except OSError as exc:
        log.warning("git could not be run in %s: %s", root, exc)
        return None
    if done.returncode != 0:
        log.info("git %s failed in %s: %s", args[0], root, done.stderr.strip()[:200])
        return None
    return done.stdout


def probe_git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `git <args>` as a check would (doctor): whatever it exits with, within 30 s.
    Raises OSError when git cannot be started, like subprocess does."""
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=git_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def work_tree_files(root: Path, paths: Sequence[str] = ()) -> list[str] | None:
    """Return the files git sees in the work tree (tracked, and untracked not ignored),
    optionally only among `paths`; None when `root` is not a git work tree or git is missing."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    if paths:
        command += ["--", *(":(literal)" + path for path in paths)]
    try:
        done = subprocess.run(
            command, cwd=root, env=git_environment(), capture_output=True, check=False
        )
    except OSError as exc:
        log.warning("git is not available (%s) for %s", exc, root)
        return None
    if done.returncode != 0:
        log.info("%s is not a git work tree", root)
        return None
    # Tracked files show once per conflict stage; callers that need a set remove repeats.
    return [part for part in done.stdout.decode("utf-8", "surrogateescape").split("\0") if part]


def tracked_files(root: Path) -> list[str] | None:
    """Return the files git tracks under `root`, relative to `root` (None outside a work tree)."""
    listing = query_git(root, ["ls-files", "-z", "--full-name", "--", "."])
    prefix = query_git(root, ["rev-parse", "--show-prefix"])
    if listing is None or prefix is None:
        return None
    lead = prefix.strip()
    names = (name for name in listing.split("\0") if name)
    return [name.removeprefix(lead) for name in names if name.startswith(lead)]


def indexed_file_count(root: Path) -> int | None:
    """Return how many entries git's index holds (its header says so: nothing is listed), or
    None when git cannot say."""
    found = query_git(root, ["rev-parse", "--git-path", "index"])
    if found is None:
        return None
    path = Path(found.strip())
    try:
        with (path if path.is_absolute() else root / path).open("rb") as index:
            header = index.read(12)
    except OSError:
        return None
    if len(header) < 12 or header[:4] != b"DIRC":
        return None
    return int.from_bytes(header[8:12], "big")
