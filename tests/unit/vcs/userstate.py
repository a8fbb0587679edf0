"""What the vcs tests compare: everything of the user's that Orchard must leave untouched."""

from __future__ import annotations

import hashlib
import os
import subprocess

from tests.support.gitrepo import GitRepo


def user_state(repo: GitRepo) -> dict[str, object]:
    """Everything of the user's that a snapshot must leave byte-identical."""
    files = {}
    for path in sorted(repo.root.rglob("*")):
        if ".git" in path.relative_to(repo.root).parts or not path.is_file():
            continue
        stat = path.stat()
        files[path.relative_to(repo.root).as_posix()] = (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            stat.st_mtime_ns,
            stat.st_mode,
        )
    index = repo.root / ".git" / "index"
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=repo.root, env=env, capture_output=True, text=True, check=True
        ).stdout

    return {
        "index": index.read_bytes(),
        "index_mtime": index.stat().st_mtime_ns,
        "files": files,
        "status": git("status", "--porcelain=v1", "-uall", "--ignored"),
        "head": git("rev-parse", "HEAD"),
        "branch": git("symbolic-ref", "-q", "HEAD")
        if (repo.root / ".git/HEAD").read_text().startswith("ref:")
        else "",
        "stash": git("stash", "list"),
        "refs": git(
            "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/stash"
        ),
    }
