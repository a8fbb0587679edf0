"""Pushing one agent commit to a remote branch with git's own push (credentials are git's: helpers,
SSH agent), and reading git's porcelain answer into Orchard's classification. Pushes exactly one
refspec, never tags or submodules, and always with a lease: the remote branch must not exist, or
must still hold the sha the caller names, so nobody else's work is ever overwritten.
"""

from __future__ import annotations

import enum
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchard.errors import PushRejected
from orchard.vcs.environment import git_environment
from orchard.vcs.git import NO_HOOKS, run_git

log = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 300.0


class PushFailure(enum.StrEnum):
    """Why a push failed, in Orchard's words."""

    NON_FAST_FORWARD = "non-fast-forward"  # someone else's commits are on that remote branch
    DECLINED = "declined"  # a protected branch or a hook on the remote said no
    NO_REMOTE = "no-remote"  # no such remote, or no repository behind its URL
    AUTH = "auth"  # the remote refused our credentials, or there were none
    UNREACHABLE = "unreachable"  # host not found, connection refused, timed out
    FAILED = "failed"  # anything else; git's own words are in the message


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """What one successful push did."""

    remote: str
    url: str  # the push URL, with `insteadOf` / `pushInsteadOf` applied
    branch: str  # the branch name on the remote
    commit: str
    created: bool  # the remote branch did not exist before
    forced: bool
    up_to_date: bool


def remote_names(root: Path) -> list[str]:
    """Return the repository's configured remotes."""
    return run_git(root, "remote").decode("utf-8", "replace").split()


def choose_remote(root: Path, wanted: str | None, default: str) -> str:
    """Return `wanted`, else `default`, else the only remote; raise PushRejected (no remote)."""
    names = remote_names(root)
    if wanted and wanted in names:
        return wanted
    if not wanted and default in names:
        return default
    if not wanted and len(names) == 1:
        return names[0]
    choices = ", ".join(names) if names else "none is configured (git remote add NAME URL)"
    asked = wanted or default
    raise PushRejected(f"no remote named {asked!r}; remotes: {choices}", PushFailure.NO_REMOTE)


def push_url(root: Path, remote: str) -> str:
    """Return where `remote` pushes to, rewritten by `insteadOf` / `pushInsteadOf` as git does."""
    done = run_git(root, "remote", "get-url", "--push", remote, check=False)
    url = done.decode("utf-8", "replace").strip()
    if not url:
        raise PushRejected(f"no remote named {remote!r}", PushFailure.NO_REMOTE)
    return url


def fetch_url(root: Path, remote: str) -> str:
    """Return where `remote` fetches from (the forge's repository), `insteadOf` applied."""
    done = run_git(root, "remote", "get-url", remote, check=False)
    return done.decode("utf-8", "replace").strip()


def branch_commit(root: Path, branch: str) -> str | None:
    """Return the commit a local branch points at, or None when it does not exist."""
    done = run_git(
        root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}", check=False
    )
    return done.decode("ascii", "replace").strip() or None


def check_branch(name: str) -> str:
    """Return `name` if it is a valid branch name; raise PushRejected if not."""
    done = subprocess.run(
        ["git", "check-ref-format", f"refs/heads/{name}"],
        env=git_environment(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or name.startswith("-"):
        raise PushRejected(f"{name!r} is not a valid branch name", PushFailure.FAILED)
    return name


def remote_default_branch(root: Path, remote: str) -> str | None:
    """Return the branch HEAD points at where `remote` pushes to, or None when it does not say."""
    try:
        done = subprocess.run(
            ["git", *NO_HOOKS, "ls-remote", "--symref", push_url(root, remote), "HEAD"],
            cwd=root,
            env=git_environment(),
            capture_output=True,
            check=False,
            timeout=PUSH_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        log.warning("asking %s for its default branch timed out", remote)
        return None
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        found = re.match(r"ref:\s+refs/heads/(\S+)\s+HEAD$", line)
        if found:
            return found.group(1)
    return None


def push_commit(
    root: Path, remote: str, commit: str, branch: str, *, lease: str = ""
) -> PushOutcome:
    """Push `commit` to `branch` on `remote` when that branch does not exist there, or (with
    `lease`) while it still points at that sha. Raise PushRejected, classified, when refused."""
    url = push_url(root, remote)
    target = f"refs/heads/{check_branch(branch)}"
    args = ["push", "--porcelain", "--no-follow-tags", "--recurse-submodules=no"]
    args.append(f"--force-with-lease={target}:{lease}")  # an empty lease: must not exist yet
    args += [remote, f"{commit}:{target}"]
    try:
        done = subprocess.run(
            ["git", *NO_HOOKS, *args],
            cwd=root,
            env=git_environment(),
            capture_output=True,
            check=False,
            timeout=PUSH_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as exc:
        raise PushRejected(
            f"pushing to {remote} ({url}) did not finish in {PUSH_TIMEOUT_SECONDS:.0f} s",
            PushFailure.UNREACHABLE,
        ) from exc
    stdout = done.stdout.decode("utf-8", "replace")
    stderr = done.stderr.decode("utf-8", "replace")
    flag, summary = porcelain_status(stdout, target)
    if done.returncode == 0 and flag is not None and flag != "!":
        log.info("pushed %s to %s %s (%s)", commit[:12], remote, branch, summary)
        return PushOutcome(remote, url, branch, commit, flag == "*", flag == "+", flag == "=")
    reason = classify_failure(flag, summary, stderr)
    raise PushRejected(_failure_message(reason, remote, url, branch, summary, stderr), reason)


def porcelain_status(stdout: str, target: str) -> tuple[str | None, str]:
    """Return the flag and summary git's `--porcelain` output gives for the ref `target`."""
    for line in stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1].endswith(f":{target}") and len(parts[0]) == 1:
            return parts[0], parts[2].strip()
    return None, ""


_AUTH = re.compile(
    r"authentication failed|could not read (username|password)|permission denied|"
    r"terminal prompts disabled|invalid (username|password|credentials)|"
    r"returned error: 40[13]|access denied|access to .* denied|http basic: access denied",
    re.IGNORECASE,
)
_MISSING = re.compile(
    r"does not appear to be a git repository|repository not found|no such remote|"
    r"returned error: 404|not found",
    re.IGNORECASE,
)
_UNREACHABLE = re.compile(
    r"could not resolve host|connection refused|connection timed out|timed out|"
    r"network is unreachable|no route to host|unable to access|failed to connect",
    re.IGNORECASE,
)


def classify_failure(flag: str | None, summary: str, stderr: str) -> PushFailure:
    """Return why a push failed, from its porcelain summary first, else git's stderr."""
    if flag == "!":
        if "[remote rejected]" in summary:
            return PushFailure.DECLINED
        if re.search(r"non-fast-forward|fetch first|stale info|already exists", summary):
            return PushFailure.NON_FAST_FORWARD
        return PushFailure.FAILED
    for pattern, reason in (
        (_AUTH, PushFailure.AUTH),
        (_MISSING, PushFailure.NO_REMOTE),
        (_UNREACHABLE, PushFailure.UNREACHABLE),
    ):
        if pattern.search(stderr):
            return reason
    return PushFailure.FAILED


def _failure_message(
    reason: PushFailure, remote: str, url: str, branch: str, summary: str, stderr: str
) -> str:
    said = summary or _last_error_line(stderr)
    where = f"{remote} ({url})"
    if reason is PushFailure.NON_FAST_FORWARD:
        return (
            f"push rejected: {branch} on {where} was not created by Orchard, or someone else "
            f"pushed to it since; Orchard never overwrites such a branch: pick another name "
            f"with --branch. git said: {said}"
        )
    if reason is PushFailure.DECLINED:
        return (
            f"push declined by {where}: {branch} is protected or a hook on the remote "
            f"refused it. git said: {said}"
        )
    if reason is PushFailure.AUTH:
        return f"push to {where} failed: the remote refused the credentials. git said: {said}"
    if reason is PushFailure.NO_REMOTE:
        return f"push to {where} failed: no repository there. git said: {said}"
    if reason is PushFailure.UNREACHABLE:
        return f"push to {where} failed: the remote cannot be reached. git said: {said}"
    return f"push to {where} failed. git said: {said}"


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[-1] if lines else "nothing"
