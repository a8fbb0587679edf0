"""Publishing an agent's result: which agent (the judge's pick, else the only committed one), the
push of its commit under a readable name (journaled, so Orchard later replaces only branches it
created), and the pull request with the task's evidence. Never touches the user's branches.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchard.agents.task import run_id_for
from orchard.errors import ForgeError, RunConflict, TaskNotFound, WorkspaceError
from orchard.service.pull_text import pull_body, pull_title

if TYPE_CHECKING:
    from orchard.config import Settings
    from orchard.forge.pulls import Forge, PullRequest
    from orchard.memory.journal import Journal
    from orchard.vcs.push import PushOutcome

log = logging.getLogger(__name__)

PUBLISHED = "published"  # journal event: one push of a run's commit
PULL_REQUEST = "pull-request"  # journal event: the pull request opened for it


@dataclass(frozen=True, slots=True)
class PublishOptions:
    """Where and how to publish: remote and branch names (None: defaults), pull request or not."""

    remote: str | None = None
    branch: str | None = None
    base: str | None = None
    pr: bool = False
    draft: bool = False


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What publishing an agent did."""

    task: str
    agent: str
    remote: str
    branch: str
    pushed: bool
    commit: str
    created: bool
    forced: bool
    up_to_date: bool
    pull_request: PullRequest | None = None

    @property
    def pr_url(self) -> str | None:
        """Return the pull request's address, None when none was opened."""
        return self.pull_request.url if self.pull_request else None

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping."""
        return {
            "task": self.task,
            "agent": self.agent,
            "remote": self.remote,
            "branch": self.branch,
            "pushed": self.pushed,
            "pr_url": self.pr_url,
            "commit": self.commit,
            "created": self.created,
            "forced": self.forced,
            "up_to_date": self.up_to_date,
            "pull_request": self.pull_request.to_json() if self.pull_request else None,
        }


def default_branch(task_id: str, agent_id: str) -> str:
    """Return the remote branch an agent is published as by default: `orchard/<task>-<agent>`."""
    return f"orchard/{task_id}-{agent_id}"


def choose_run(view: Mapping[str, Any], agent_id: str | None) -> Mapping[str, Any]:
    """Return the run to publish: `agent_id`'s, else the judge's pick, else the only committed
    one; raise TaskNotFound or RunConflict naming the choices."""
    runs = list(view.get("runs") or ())
    committed = [run for run in runs if run.get("state") == "committed" and run.get("commit")]
    names = ", ".join(f"{r['agent']} ({r['state']})" for r in runs) or "none"
    if agent_id:
        run = next((r for r in runs if r.get("agent") == agent_id), None)
        if run is None:
            raise TaskNotFound(f"task {view['id']} has no agent {agent_id!r}; agents: {names}")
        if run not in committed:
            raise RunConflict(f"agent {agent_id} of task {view['id']} has no commit to publish"
                              f" (it is {run.get('state')})")  # fmt: skip
        return run
    recommendation = view.get("recommendation")
    picked = recommendation.get("agent") if isinstance(recommendation, Mapping) else None
    for run in committed:
        if picked and run.get("agent") == picked:
            return run
    if len(committed) == 1:
        return committed[0]
    if not committed:
        raise RunConflict(f"task {view['id']} has no committed agent to publish; agents: {names}")
    choices = ", ".join(str(r["agent"]) for r in committed)
    raise RunConflict(f"task {view['id']} has several committed agents and no judge's pick:"
                      f" name one of {choices}")  # fmt: skip


async def publish_agent(
    view: Mapping[str, Any],
    options: PublishOptions,
    *,
    agent_id: str | None,
    root: Path,
    settings: Settings,
    journal: Journal,
    env: Mapping[str, str] | None = None,
) -> PublishResult:
    """Push the chosen agent's commit and, when asked, open its pull request."""
    environment = dict(os.environ if env is None else env)
    run = choose_run(view, agent_id)
    task_id, agent = str(view["id"]), str(run["agent"])
    target = _Target(root, settings, journal, task_id, agent, options)
    forge: Forge | None = None
    forge_url = ""
    if options.pr:  # a missing token or unreadable URL fails before anything is pushed
        forge, forge_url = await asyncio.to_thread(target.forge, environment)
    outcome = await asyncio.to_thread(target.push, run)
    result = PublishResult(task_id, agent, outcome.remote, outcome.branch, True, outcome.commit,
                           outcome.created, outcome.forced, outcome.up_to_date)  # fmt: skip
    if forge is None:
        return result
    base = options.base
    if not base:
        base = await asyncio.to_thread(target.base, outcome.remote)
    from orchard.forge.address import parse_remote_url
    from orchard.forge.pulls import Proposal

    proposal = Proposal(parse_remote_url(forge_url), outcome.branch, base,
                        pull_title(str(view.get("request", ""))), pull_body(view, run),
                        options.draft)  # fmt: skip
    try:
        pull = await forge.open_pull_request(proposal)
    except ForgeError as exc:
        raise ForgeError(
            f"{outcome.branch} was pushed to {outcome.remote}, but no pull request was opened: "
            f"{exc}",
            exc.status,
        ) from exc
    await asyncio.to_thread(
        journal.record_event, run_id_for(task_id, agent), PULL_REQUEST,
        {**pull.to_json(), "branch": outcome.branch, "base": base},
    )  # fmt: skip
    log.info("opened %s for task %s agent %s", pull.url, task_id, agent)
    return dataclasses.replace(result, pull_request=pull)


@dataclass(frozen=True, slots=True)
class _Target:
    """The git side of one publish: remote, branch, lease and the journal's record of it."""

    root: Path
    settings: Settings
    journal: Journal
    task_id: str
    agent: str
    options: PublishOptions

    def remote(self) -> str:
        from orchard.vcs.push import choose_remote

        return choose_remote(self.root, self.options.remote, self.settings.publish.remote)

    def forge(self, env: Mapping[str, str]) -> tuple[Forge, str]:
        """Return the forge client and the URL its address is read from."""
        from orchard.forge.address import parse_remote_url
        from orchard.forge.connect import connect_forge
        from orchard.vcs.push import fetch_url, push_url

        remote = self.remote()
        url = fetch_url(self.root, remote) or push_url(self.root, remote)
        try:
            address = parse_remote_url(url)
        except ForgeError:
            url = push_url(self.root, remote)
            address = parse_remote_url(url)
        return connect_forge(address, self.settings.publish, env), url

    def push(self, run: Mapping[str, Any]) -> PushOutcome:
        from orchard.vcs.push import branch_commit, check_branch, push_commit, push_url

        remote = self.remote()
        branch = check_branch(self.options.branch or default_branch(self.task_id, self.agent))
        commit = branch_commit(self.root, str(run.get("branch", ""))) or str(run["commit"])
        url = push_url(self.root, remote)
        lease = self._lease(url, branch)
        outcome = push_commit(self.root, remote, commit, branch, lease=lease)
        self.journal.record_event(
            run_id_for(self.task_id, self.agent),
            PUBLISHED,
            {"remote": remote, "url": url, "branch": branch, "commit": commit,
             "created": outcome.created, "forced": outcome.forced},
        )  # fmt: skip
        return outcome

    def _lease(self, url: str, branch: str) -> str:
        """Return the sha Orchard last pushed to `branch` at `url` when Orchard created that
        branch (so it may replace its own work), else "" (the branch must not exist yet)."""
        pushes = [
            e.data for e in self.journal.events_of_kind(PUBLISHED)
            if e.data.get("url") == url and e.data.get("branch") == branch
        ]  # fmt: skip
        if not any(push.get("created") for push in pushes):
            return ""
        return str(pushes[-1]["commit"])

    def base(self, remote: str) -> str:
        """Return the branch the pull request goes into: the user's branch when the task began,
        else the remote's default branch."""
        from orchard.vcs.push import remote_default_branch
        from orchard.vcs.snapshot import load_snapshot

        try:
            branch = load_snapshot(self.root, self.task_id).branch
        except WorkspaceError:
            branch = None
        return branch or remote_default_branch(self.root, remote) or "main"
