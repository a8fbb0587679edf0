"""Real git repositories in temporary folders, built with the git command line (no mocks)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Orchard Tests",
    "GIT_AUTHOR_EMAIL": "tests@orchard.invalid",
    "GIT_COMMITTER_NAME": "Orchard Tests",
    "GIT_COMMITTER_EMAIL": "tests@orchard.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


@dataclass
class GitRepo:
    """A real repository on disk with helpers to write files, commit and branch."""

    root: Path

    def git(self, *args: str, check: bool = True) -> str:
        """Run git in the repository and return its stdout."""
        env = {**os.environ, **GIT_ENV, "HOME": str(self.root.parent)}
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def write(self, relative: str, content: str | bytes) -> Path:
        """Write a file (making folders), text as UTF-8 with newlines kept as given."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    def commit(self, message: str, files: dict[str, str | bytes] | None = None) -> str:
        """Write `files`, stage everything and commit; return the new commit's sha."""
        for relative, content in (files or {}).items():
            self.write(relative, content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str, checkout: bool = False) -> None:
        """Create a branch at HEAD, optionally checking it out."""
        self.git("checkout", "-q", "-b", name) if checkout else self.git("branch", name)

    def head(self) -> str:
        """Return HEAD's sha."""
        return self.git("rev-parse", "HEAD").strip()


def init_repo(root: Path, *, initial: dict[str, str | bytes] | None = None) -> GitRepo:
    """Create a repository at `root` on branch main, with an optional first commit."""
    root.mkdir(parents=True, exist_ok=True)
    repo = GitRepo(root)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", GIT_ENV["GIT_AUTHOR_NAME"])
    repo.git("config", "user.email", GIT_ENV["GIT_AUTHOR_EMAIL"])
    repo.git("config", "commit.gpgsign", "false")
    if initial is not None:
        repo.commit("initial commit", initial)
    return repo
