"""Runs git for `vcs/`: opens repositories (GitPython), runs plumbing in a clean environment,
lends temporary index files, and serializes work on shared refs and worktree admin.
Knows nothing of tasks or agents, and never runs the user's hooks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import git

from orchard.errors import GitError, WorkspaceError
from orchard.sandbox.processes import start_time
from orchard.vcs.environment import git_environment

log = logging.getLogger(__name__)

# Orchard's git commands never run the user's hooks: hooks are written for the user's own
# commits and checkouts (they may format, prompt, sign or call the network), while agent
# branches are scratch work that Orchard lints itself. Hooks run when the user commits the result.
NO_HOOKS = ("-c", f"core.hooksPath={os.devnull}")
ZERO_SHA = "0" * 40


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a commit made by Orchard is attributed to."""

    name: str
    email: str

    def env(self) -> dict[str, str]:
        """Return the environment that makes git use this identity for author and committer."""
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


SNAPSHOT_IDENTITY = Identity("Orchard", "orchard@orchard.invalid")
AGENT_IDENTITY = Identity("Orchard agent", "agent@orchard.invalid")


def run_git(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: bytes | None = None,
    check: bool = True,
) -> bytes:
    """Run `git <args>` in `cwd` without hooks; return raw stdout, raise GitError on failure."""
    command = ["git", *NO_HOOKS, *args]
    done = subprocess.run(
        command,
        cwd=cwd,
        env=git_environment(env),
        input=input,
        capture_output=True,
        check=False,
    )
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise GitError(f"git {' '.join(args[:3])} failed in {cwd}: {message}")
    if done.returncode == 0 and done.stderr:
        log.debug("git %s: %s", args[0], done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


def git_text(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git and return its stdout as text without the trailing newline."""
    return run_git(cwd, *args, env=env).decode("utf-8", "surrogateescape").strip()


def split_nul(output: bytes) -> list[str]:
    """Split `-z` output into paths, decoding names the way the file system does."""
    return [os.fsdecode(part) for part in output.split(b"\0") if part]


@dataclass(frozen=True, slots=True)
class RepositoryInfo:
    """Where a work tree's repository is and what its HEAD is."""

    root: Path  # top folder of the work tree
    common_dir: Path  # the git dir shared by the repository and all its worktrees
    head: str  # HEAD's commit sha
    branch: str | None  # HEAD's branch, None when detached


def inspect_repository(path: Path) -> RepositoryInfo:
    """Describe the repository whose work tree holds `path`; refuse bare and commitless ones."""
    if not path.exists():
        raise WorkspaceError(f"{path} does not exist")
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise WorkspaceError(f"{path} is not inside a git repository") from exc
    try:  # closing stops the `git cat-file` helpers GitPython starts on demand
        if repo.bare:
            raise WorkspaceError(
                f"{path} is a bare repository; Orchard needs a working tree to snapshot"
            )
        if not repo.head.is_valid():
            raise WorkspaceError(
                f"the repository at {repo.working_tree_dir} has no commit yet; "
                "make a first commit so agents have something to branch from"
            )
        return RepositoryInfo(
            root=Path(str(repo.working_tree_dir)).resolve(),
            common_dir=Path(repo.common_dir).resolve(),
            head=repo.head.commit.hexsha,
            branch=None if repo.head.is_detached else repo.head.reference.name,
        )
    finally:
        repo.close()


def ref_exists(cwd: Path, ref: str) -> bool:
    """Return whether `ref` (a full ref name) exists."""
    done = run_git(cwd, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return bool(done.strip())


class _SharedLock:
    """One lock per common git dir: an RLock for threads plus an flock'ed file for processes."""

    def __init__(self, lock_file: Path) -> None:
        self.lock_file = lock_file
        self.rlock = threading.RLock()
        self.depth = 0
        self.handle: IO[bytes] | None = None

    def acquire(self) -> None:
        self.rlock.acquire()
        if self.depth == 0:
            try:
                self.lock_file.parent.mkdir(parents=True, exist_ok=True)
                handle = open(self.lock_file, "a+b")  # noqa: SIM115 (held across calls)
                _lock_file(handle)
            except BaseException:
                self.rlock.release()
                raise
            self.handle = handle
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.handle is not None:
            _unlock_file(self.handle)
            self.handle.close()
            self.handle = None
        self.rlock.release()


def _lock_file(handle: IO[bytes]) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _unlock_file(handle: IO[bytes]) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


_locks: dict[Path, _SharedLock] = {}
_locks_guard = threading.Lock()


@contextlib.contextmanager
def shared_refs_lock(git_common_dir: Path) -> Iterator[None]:
    """Hold the repository's lock on shared refs and worktree admin (threads and processes)."""
    key = git_common_dir.resolve()
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = _SharedLock(key / "orchard" / "git.lock")
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def temporary_index(git_common_dir: Path, seed: Path | None = None) -> Iterator[Path]:
    """Lend a private index file (a copy of `seed` if it exists, else none yet); delete it after."""
    folder = git_common_dir / "orchard" / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    # The name says who made it, so a later command can tell a crashed process's copy (#8).
    handle, name = tempfile.mkstemp(prefix=f"index-{pid}-{start_time(pid) or 0}-", dir=folder)
    os.close(handle)
    path = Path(name)
    try:
        if seed is not None and seed.is_file():
            # Copying keeps the stat cache, so `git add -A` only rehashes files that changed,
            # and keeps skip-worktree bits, so a sparse checkout is not read as deletions.
            path.write_bytes(seed.read_bytes())
        else:
            path.unlink()
        yield path
    finally:
        for leftover in (path, path.with_name(path.name + ".lock")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def remove_stale_indexes(git_common_dir: Path) -> list[Path]:
    """Delete temporary indexes (copies of the user's index) left by Orchard processes that died
    mid-snapshot; those of live processes stay. Return what was removed."""
    folder = git_common_dir / "orchard" / "tmp"
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.glob("index-*"):
        parts = path.name.split("-")
        pid = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
        alive = pid > 0 and start_time(pid) not in ("", "0") and start_time(pid) == parts[2]
        if alive:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    if removed:
        log.warning("removed %d temporary indexes left by a crash", len(removed))
    return removed


def index_file(cwd: Path) -> Path:
    """Return the index file git uses for the work tree at `cwd`."""
    text = git_text(cwd, "rev-parse", "--path-format=absolute", "--git-path", "index")
    return Path(text)


def stage_work_tree(cwd: Path, index: Path) -> None:
    """Make `index` match the work tree at `cwd` (tracked, modified, new; never ignored files)."""
    env = {"GIT_INDEX_FILE": str(index)}
    done = subprocess.run(
        ["git", *NO_HOOKS, "add", "-A", "--ignore-errors", "--", ":/"],
        cwd=cwd,
        env=git_environment(env),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        # Unreadable files are left out, and said so, rather than failing the whole snapshot.
        log.warning(
            "some files in %s could not be read: %s",
            cwd,
            done.stderr.decode("utf-8", "replace").strip(),
        )


def write_commit(
    cwd: Path,
    tree: str,
    parents: Sequence[str],
    message: str,
    identity: Identity,
) -> str:
    """Write a commit object for `tree` (never signed, no hooks) and return its sha."""
    args: list[Any] = ["commit-tree", "--no-gpg-sign", tree]
    for parent in parents:
        args += ["-p", parent]
    out = run_git(cwd, *args, env=identity.env(), input=message.encode("utf-8"))
    return out.decode("ascii").strip()
