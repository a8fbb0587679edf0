"""`orchard tasks push TASK [AGENT] [--remote NAME] [--branch NAME] [--base NAME] [--pr] [--draft]`:
the flags and the printing of publishing an agent's branch; the service pushes and opens the PR.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from orchard.service import OrchardService


def add_push_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags of `orchard tasks push` to the `tasks` parser."""
    parser.add_argument("--remote", default=None, help="push: remote (default: publish.remote)")
    parser.add_argument(
        "--branch", default=None, help="push: remote branch (default: orchard/<task>-<agent>)"
    )
    parser.add_argument("--base", default=None, help="push --pr: branch the pull request goes into")
    parser.add_argument("--pr", action="store_true", help="push: open a pull request too")
    parser.add_argument("--draft", action="store_true", help="push --pr: as a draft")


async def push(service: OrchardService, args: argparse.Namespace) -> int:
    """Publish the agent's branch; print what happened; exit 0 (errors raise OrchardError)."""
    result = await service.publish(
        args.task_id,
        args.agent_id,
        remote=args.remote,
        branch=args.branch,
        base=args.base,
        pr=args.pr or args.draft,
        draft=args.draft,
    )
    data: dict[str, Any] = result.to_json()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(
        f"pushed {result.agent} ({result.commit[:12]}) to {result.remote} as {result.branch}"
        f" ({_how(result.created, result.forced, result.up_to_date)})"
    )
    if result.pr_url:
        kind = "draft pull request" if args.draft else "pull request"
        print(f"{kind}: {result.pr_url}")
    return 0


def _how(created: bool, forced: bool, up_to_date: bool) -> str:
    if created:
        return "new branch"
    if up_to_date:
        return "already up to date"
    return "replaced Orchard's earlier push" if forced else "fast-forward"
