"""`orchard tasks [list | show ID | resume ID | accept ID [AGENT] | discard ID | clean |
push ID [AGENT]]`: what the journal and the agent worktrees hold. Runs of a process that died are
marked interrupted first; `resume` runs them again with `orchard run`'s progress and table;
`accept` merges a result into the working tree; `push` publishes an agent's branch
(`cli/push.py`). Parses and prints; the service does the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from orchard.config import find_repository_root
from orchard.errors import OrchardError
from orchard.service import OrchardService


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `tasks` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tasks", help="list, show, resume, discard or clean up agent tasks"
    )
    parser.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "show", "resume", "accept", "discard", "clean", "push"),
    )
    parser.add_argument(
        "task_id", nargs="?", help="the task (for show, resume, accept, discard, push)"
    )
    parser.add_argument(
        "agent_id",
        nargs="?",
        help="accept, push: the agent (default: the recommended or only result)",
    )
    parser.add_argument("--root", default=None, help="repository (default: the one around .)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--events", action="store_true", help="show: list every event too")
    parser.add_argument(
        "--all", action="store_true", help="clean: discard ended tasks with their branches too"
    )
    from orchard.cli.push import add_push_arguments

    add_push_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Carry out the action; exit 0, 1 when a task is unknown or busy, 2 on misuse."""
    start = Path(args.root) if args.root else Path.cwd()
    root = find_repository_root(start)
    if root is None:
        print(f"orchard tasks: {start} is not inside a git repository", file=sys.stderr)
        return 2
    if args.action in ("show", "resume", "accept", "discard", "push") and not args.task_id:
        print(f"orchard tasks {args.action}: which task? give its id", file=sys.stderr)
        return 2
    if args.agent_id and args.action not in ("accept", "push"):
        print(
            f"orchard tasks {args.action}: an agent is only named with accept or push",
            file=sys.stderr,
        )
        return 2
    if args.action == "accept":
        from orchard.cli.accept import accept_task

        return accept_task(root, args.task_id, args.agent_id, args.json)
    if args.action == "resume":
        return _resume(root, args.task_id, args.json)
    try:
        return asyncio.run(_act(root, args))
    except OrchardError as exc:
        print(f"orchard tasks: {exc}", file=sys.stderr)
        return 1


async def _act(root: Path, args: argparse.Namespace) -> int:
    service = await OrchardService.open(root)
    try:
        if args.action == "list":
            return _print_list(await service.list_tasks(), args.json)
        if args.action == "show":
            view = await service.show_task(args.task_id, events=True)
            return _print_task(view, args.json, args.events)
        if args.action == "push":
            from orchard.cli.push import push

            return await push(service, args)
        if args.action == "discard":
            cleanup = await service.discard(args.task_id)
            print(f"discarded {args.task_id}: {cleanup.worktrees} worktrees, {cleanup.refs} refs")
            return 0
        cleanup = await service.clean(everything=args.all)
        if args.all:
            print(f"discarded {len(cleanup.tasks)} ended tasks")
        else:
            print(
                f"removed {cleanup.worktrees} worktrees; branches kept (use --all to drop them too)"
            )
        return 0
    finally:
        await service.close()


def _print_list(tasks: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        print(json.dumps(tasks, indent=2))
        return 0
    if not tasks:
        print("no tasks")
        return 0
    for task in tasks:
        runs = task["runs"]
        committed = sum(1 for r in runs if r["state"] == "committed")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(task["created_at"]))
        request = " ".join(task["request"].split())[:60]
        print(
            f"{task['id']}  {when}  {task['state']:<11}  {committed}/{len(runs)} committed  "
            f"{request}"
        )
    return 0


def _print_task(view: dict[str, Any], as_json: bool, with_events: bool) -> int:
    if as_json:
        print(json.dumps(view, indent=2, default=str))
        return 0
    print(f"task {view['id']}: {view['state']} ({view['mode']})")
    print(f"request: {view['request']}")
    if view["snapshot"]:
        print(f"snapshot: {view['snapshot']}")
    if view["error"]:
        print(f"error: {view['error']}")
    recommended = _recommendation(view)
    if recommended:
        print(recommended)
    events = view.get("events", {})
    for run in view["runs"]:
        where = run["worktree"] if run["worktree_exists"] else "(worktree removed)"
        print(
            f"  {run['agent']:<20} {run['model']:<28} {run['state']:<11} {run['branch']}  {where}"
        )
        if run["error"]:
            print(f"      {run['error']}")
        print(f"      {_figures(run)}")
        for finding in run.get("findings") or ():
            print(
                f"      {finding['file']}:{finding['line']}: {finding['severity']}: "
                f"{finding['message']}"
            )
        run_events = events.get(f"{view['id']}/{run['agent']}", [])
        print(f"      {len(run_events)} events")
        for event in run_events if with_events else ():
            data = json.dumps(event["data"], default=str)
            print(f"      #{event['seq']} {event['kind']} {data}")
    return 0


def _recommendation(view: dict[str, Any]) -> str | None:
    judged = view.get("recommendation")
    if not judged:
        return None
    if judged.get("agent") is None:
        return "no recommendation: " + ("; ".join(judged.get("reasons") or ()) or "none")
    return f"recommended: {judged['agent']} — " + ", ".join(judged.get("reasons") or ())


def _figures(run: dict[str, Any]) -> str:
    lint = run.get("lint_errors")
    lint_text = "-" if lint is None else ("ok" if lint == 0 else str(lint))
    return (
        f"files {len(run.get('files') or ())}  lint {lint_text}  tests {run.get('tests')}  "
        f"{run.get('tokens', 0)} tok  ${run.get('cost_usd', 0.0):.4f}  "
        f"{len(run.get('findings') or ())} findings"
    )


def _resume(root: Path, task_id: str, as_json: bool) -> int:
    """Run the task's interrupted agents again; exit as `orchard run` does, 1 if none can."""
    from orchard.cli.run import ProgressLines, drive_task, report_result  # agents: heavy imports

    try:
        result = asyncio.run(
            drive_task(root, lambda service: service.resume(task_id), ProgressLines(sys.stderr))
        )
    except OrchardError as exc:
        print(f"orchard tasks: {exc}", file=sys.stderr)
        return 1
    return report_result(result, as_json)
