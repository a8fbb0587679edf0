"""`orchard doctor`: checks what Orchard needs on this machine and in this workspace.

Prints one row per check (name, status, detail); exits 1 when a required check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from orchard.config import Settings, load_settings
from orchard.sandbox.bwrap import probe

MIN_GIT = (2, 38)  # `git merge-tree --write-tree` (taking results; `worktree list -z` is 2.36)
_MIN_GIT_TEXT = ".".join(map(str, MIN_GIT))
GRAMMARS = (
    "python", "javascript", "typescript", "tsx", "go", "rust",
    "java", "c", "cpp", "csharp", "ruby", "php",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one check."""

    name: str
    status: str  # "ok", "warn" or "fail"
    detail: str
    required: bool = True


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `doctor` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "doctor", help="check that git, SQLite, tree-sitter, litellm and model keys are ready"
    )
    parser.add_argument("--root", default=".", help="workspace to check (default: .)")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    return parser


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    from orchard.vcs.queries import probe_git  # light: no GitPython, which needs git to import

    return probe_git(*args, cwd=cwd)


def check_git() -> Check:
    """Check that git is installed and new enough."""
    if shutil.which("git") is None:
        return Check("git", "fail", f"git is not on PATH; install git >= {_MIN_GIT_TEXT}")
    text = _git("--version").stdout.strip()
    match = re.search(r"(\d+)\.(\d+)", text)
    version = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if version < MIN_GIT:
        return Check("git", "fail", f"{text}: Orchard needs git >= {_MIN_GIT_TEXT}")
    return Check("git", "ok", text)


def check_worktrees() -> Check:
    """Create a throwaway repository and a worktree of it."""
    if shutil.which("git") is None:
        return Check("git worktree", "fail", "needs git")
    with tempfile.TemporaryDirectory(prefix="orchard-doctor-") as tmp:
        repo = Path(tmp) / "repo"
        steps = [
            ("init", "-q", str(repo)),
            ("-C", str(repo), "-c", "user.name=d", "-c", "user.email=d@d",
             "commit", "-q", "--allow-empty", "-m", "probe"),
            ("-C", str(repo), "worktree", "add", "-q", "-b", "probe", str(Path(tmp) / "wt")),
        ]  # fmt: skip
        for step in steps:
            done = _git(*step)
            if done.returncode != 0:
                return Check(
                    "git worktree", "fail", f"git {step[-3]} failed: {done.stderr.strip()}"
                )
    return Check("git worktree", "ok", "created and removed a worktree")


def check_repository(root: Path) -> Check:
    """Check that the workspace is a git repository with a commit (agents need one)."""
    if shutil.which("git") is None:
        return Check("repository", "warn", "cannot tell without git", required=False)
    done = _git("rev-parse", "--show-toplevel", cwd=root)
    if done.returncode != 0:
        return Check(
            "repository",
            "warn",
            f"{root} is not in a git repository: agents need one",
            required=False,
        )
    head = _git("rev-parse", "--verify", "-q", "HEAD", cwd=root)
    if head.returncode != 0:
        return Check("repository", "warn", "the repository has no commit yet", required=False)
    return Check("repository", "ok", done.stdout.strip(), required=False)


def check_sqlite() -> list[Check]:
    """Check SQLite extension loading and sqlite-vec."""
    from orchard.memory.db import _sqlite_module, connect, vector_extension_version

    module = _sqlite_module()
    how = "standard sqlite3" if module.__name__ == "sqlite3" else "sqlean (stdlib cannot)"
    checks = [Check("sqlite extensions", "ok", f"loadable via {how}")]
    db = connect(":memory:")
    version = vector_extension_version(db)
    db.conn.close()
    if version is None:
        checks.append(Check("sqlite-vec", "fail", "sqlite-vec did not load"))
    else:
        checks.append(Check("sqlite-vec", "ok", version))
    return checks


def check_grammars() -> Check:
    """Check that tree-sitter can load every grammar the repo map uses."""
    from orchard.grammars import get_parser

    missing = []
    for name in GRAMMARS:
        try:
            get_parser(name)
        except Exception as exc:
            missing.append(f"{name} ({exc})")
    if missing:
        return Check("tree-sitter grammars", "fail", "missing: " + ", ".join(missing))
    return Check("tree-sitter grammars", "ok", f"{len(GRAMMARS)} languages load")


def check_litellm() -> Check:
    """Check that litellm imports."""
    from orchard.models.probe import litellm_version

    try:
        return Check("litellm", "ok", f"litellm {litellm_version()}")
    except Exception as exc:
        return Check("litellm", "fail", f"cannot import litellm: {exc}")


def check_models(settings: Settings) -> list[Check]:
    """Check that each configured model's API key is in the environment."""
    from orchard.models.probe import missing_keys

    names = [m.model for m in settings.models] + [
        name
        for name in (
            settings.reviewer_model,
            settings.judge_model,
            settings.resolver_model,
            settings.planner_model,
        )
        if name
    ]
    if not names:
        return [Check("models", "warn", "no models configured (see README: models)", False)]
    checks = []
    for name in dict.fromkeys(names):
        entry = settings.model(name)
        missing = missing_keys(name, entry.api_key_env)
        if missing:
            checks.append(Check(f"model {name}", "fail", "missing env: " + ", ".join(missing)))
        else:
            checks.append(Check(f"model {name}", "ok", "keys present"))
    return checks


def check_sandbox(settings: Settings) -> Check:
    """Say whether agents' commands run in bubblewrap, and why not (required only for `bwrap`)."""
    mode = settings.agents.sandbox
    if mode == "off":
        return Check("sandbox", "warn", "agents.sandbox is off: commands run unsandboxed", False)
    found = probe()
    if found.works:
        net = "on" if settings.agents.sandbox_network else "off"
        return Check(
            "sandbox", "ok", f"bubblewrap works ({found.executable}); network {net}", False
        )
    if mode == "bwrap":
        return Check("sandbox", "fail", f"agents.sandbox is bwrap but {found.detail}")
    detail = f"{found.detail}; agents' commands run unsandboxed, code-running linters refused"
    return Check("sandbox", "warn", detail, required=False)


def run_checks(root: Path) -> list[Check]:
    """Run every check for `root`, in a stable order."""
    loaded = load_settings(root)
    checks = [check_git(), check_worktrees(), check_repository(root)]
    steps: list[Callable[[], Check | list[Check]]] = [
        check_sqlite, check_grammars, check_litellm, lambda: check_sandbox(loaded.settings),
        lambda: check_models(loaded.settings),
    ]  # fmt: skip
    for step in steps:
        result = step()
        checks.extend(result if isinstance(result, list) else [result])
    for problem in loaded.problems:
        checks.append(Check(f"setting {problem.key}", "warn", problem.reason, required=False))
    return checks


def render_table(checks: list[Check]) -> str:
    """Lay the checks out as an aligned text table."""
    width = max(len(c.name) for c in checks)
    marks = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
    return "\n".join(f"{c.name:<{width}}  {marks[c.status]}  {c.detail}" for c in checks)


def run(args: argparse.Namespace) -> int:
    """Print the checks; exit 1 when something required is missing."""
    checks = run_checks(Path(args.root).resolve())
    failed = [c for c in checks if c.status == "fail" and c.required]
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        print(render_table(checks))
        print()
        print(f"{len(failed)} required check(s) failed" if failed else "all required checks passed")
    return 1 if failed else 0
