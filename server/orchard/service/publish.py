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
from orchard.errors import ForgeError, ResultNotChosen, TaskNotFound, WorkspaceError
from orchard.service.pull_text import pull_body, pull_title

if TYPE_CHECKING:
    from orchard.config import Settings
    from orchard.forge.address import RepoAddress
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
    one; raise ResultNotChosen naming the choices (as accepting does), TaskNotFound for an
    unknown agent."""
    runs = list(view.get("runs") or ())
    committed = [run for run in runs if run.get("state") == "committed" and run.get("commit")]
    names = ", ".join(f"{r['agent']} ({r['state']})" for r in runs) or "none"
    if agent_id:
        run = next((r for r in runs if r.get("agent") == agent_id), None)
        if run is None:
            raise TaskNotFound(f"task {view['id']} has no agent {agent_id!r}; agents: {names}")
        if run not in committed:
            raise ResultNotChosen(
                f"agent {agent_id} of task {view['id']} has no commit to publish"
                f" (it is {run.get('state')})"
            )
        return run
    recommendation = view.get("recommendation")
    picked = recommendation.get("agent") if isinstance(recommendation, Mapping) else None
    for run in committed:
        if picked and run.get("agent") == picked:
            return run
    if len(committed) == 1:
        return committed[0]
    if not committed:
        raise ResultNotChosen(
            f"task {view['id']} has no committed agent to publish; agents: {names}"
        )
    choices = ", ".join(str(r["agent"]) for r in committed)
    raise ResultNotChosen(
        f"task {view['id']} has several committed agents and no judge's pick: name one of {choices}"
    )


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
    forge: tuple[Forge, RepoAddress] | None = None
    if options.pr:  # a missing token or unreadable URL fails before anything is pushed
        forge = await asyncio.to_thread(target.forge, environment)
    outcome = await asyncio.to_thread(target.push, run)
    result = PublishResult(
        task_id,
        agent,
        outcome.remote,
        outcome.branch,
        True,
        outcome.commit,
        outcome.created,
        outcome.forced,
        outcome.up_to_date,
    )
    if forge is None:
        return result
    pull = await _open_pull(view, run, target, forge, outcome)
    return dataclasses.replace(result, pull_request=pull)


async def _open_pull(
    view: Mapping[str, Any],
    run: Mapping[str, Any],
    target: _Target,
    forge: tuple[Forge, RepoAddress],
    outcome: PushOutcome,
) -> PullRequest:
    """Open the pull request of a pushed branch and journal it; the push stands if it fails."""
    from orchard.forge.pulls import Proposal

    client, address = forge
    base = target.options.base
    if not base:
        base = await asyncio.to_thread(target.default_base, outcome.remote)
    title = pull_title(str(view.get("request", "")))
    proposal = Proposal(
        address, outcome.branch, base, title, pull_body(view, run), target.options.draft
    )
    try:
        pull = await client.open_pull_request(proposal)
    except ForgeError as exc:
        raise ForgeError(
            f"{outcome.branch} was pushed to {outcome.remote}, but no pull request was opened: "
            f"{exc}",
            exc.status,
        ) from exc
    await asyncio.to_thread(
        target.journal.record_event,
        run_id_for(target.task_id, target.agent),
        PULL_REQUEST,
        {**pull.to_json(), "branch": outcome.branch, "base": base},
    )
    log.info("opened %s for task %s agent %s", pull.url, target.task_id, target.agent)
    return pull


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

    def forge(self, env: Mapping[str, str]) -> tuple[Forge, RepoAddress]:
        """Return the forge client and the repository's address on it (its fetch URL's, else
        its push URL's)."""
        from orchard.forge.address import parse_remote_url
        from orchard.forge.connect import connect_forge
        from orchard.vcs.push import fetch_url, push_url

        remote = self.remote()
        try:
            address = parse_remote_url(fetch_url(self.root, remote))
        except ForgeError:
            address = parse_remote_url(push_url(self.root, remote))
        return connect_forge(address, self.settings.publish, env), address

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
            {
                "remote": remote,
                "url": url,
                "branch": branch,
                "commit": commit,
                "created": outcome.created,
                "forced": outcome.forced,
            },
        )
        return outcome

    def _lease(self, url: str, branch: str) -> str:
        """Return the sha Orchard last pushed to `branch` at `url` when Orchard created that
        branch (so it may replace its own work), else "" (the branch must not exist yet)."""
        pushes = [
            e.data
            for e in self.journal.events_of_kind(PUBLISHED)
            if e.data.get("url") == url and e.data.get("branch") == branch
        ]
        if not any(push.get("created") for push in pushes):
            return ""
        return str(pushes[-1]["commit"])

    def default_base(self, remote: str) -> str:
        """Return the branch the pull request goes into: the user's branch when the task began,
        else the remote's default branch."""
        from orchard.vcs.push import remote_default_branch
        from orchard.vcs.snapshot import load_snapshot

        try:
            branch = load_snapshot(self.root, self.task_id).branch
        except WorkspaceError:
            branch = None
        return branch or remote_default_branch(self.root, remote) or "main"
