"""`orchard tasks [list | show ID | resume ID | discard ID | clean]`: what the journal and the agent
worktrees hold. Runs of a process that died are marked interrupted first; `resume` runs them
again with `orchard run`'s progress and table. Logic lives in agents/ and vcs/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from orchard.agents.journal import Journal
from orchard.agents.task import AgentRun, Task, TaskState
from orchard.config import find_repository_root, load_settings
from orchard.errors import OrchardError
from orchard.vcs.cleanup import discard_task, prune, remove_worktree
from orchard.vcs.git import remove_stale_indexes
from orchard.vcs.repository import git_common_dir, state_db_path
from orchard.vcs.worktree import list_task_worktrees

ENDED = (TaskState.DONE, TaskState.FAILED, TaskState.CANCELLED, TaskState.INTERRUPTED)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `tasks` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tasks", help="list, show, resume, discard or clean up agent tasks"
    )
    parser.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "show", "resume", "discard", "clean"),
    )
    parser.add_argument("task_id", nargs="?", help="the task (for show, resume and discard)")
    parser.add_argument("--root", default=None, help="repository (default: the one around .)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--events", action="store_true", help="show: list every event too")
    parser.add_argument(
        "--all", action="store_true", help="clean: discard ended tasks with their branches too"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Carry out the action; exit 0, 1 when a task is unknown or busy, 2 on misuse."""
    start = Path(args.root) if args.root else Path.cwd()
    root = find_repository_root(start)
    if root is None:
        print(f"orchard tasks: {start} is not inside a git repository", file=sys.stderr)
        return 2
    if args.action in ("show", "resume", "discard") and not args.task_id:
        print(f"orchard tasks {args.action}: which task? give its id", file=sys.stderr)
        return 2
    if args.action == "resume":
        return _resume(root, args.task_id, args.json)
    with Journal(state_db_path(root)) as journal:
        journal.recover()
        remove_stale_indexes(git_common_dir(root))
        try:
            if args.action == "list":
                return _list(journal, args.json)
            if args.action == "show":
                return _show(journal, args.task_id, args.json, args.events)
            if args.action == "discard":
                return _discard(journal, root, args.task_id)
            return _clean(journal, root, args.all)
        except OrchardError as exc:
            print(f"orchard tasks: {exc}", file=sys.stderr)
            return 1


def _task_json(task: Task, runs: list[AgentRun]) -> dict[str, Any]:
    return {
        "id": task.id,
        "state": str(task.state),
        "mode": str(task.spec.mode),
        "request": task.spec.request,
        "snapshot": task.snapshot,
        "error": task.error,
        "created_at": task.created_at,
        "runs": [
            {
                "agent": r.agent_id,
                "model": r.model,
                "state": str(r.state),
                "branch": r.branch,
                "worktree": r.worktree,
                "worktree_exists": Path(r.worktree).exists(),
                "commit": r.commit,
                "error": r.error,
            }
            for r in runs
        ],
    }


def _list(journal: Journal, as_json: bool) -> int:
    tasks = journal.tasks()
    if as_json:
        print(json.dumps([_task_json(t, journal.runs(t.id)) for t in tasks], indent=2))
        return 0
    if not tasks:
        print("no tasks")
        return 0
    for task in tasks:
        runs = journal.runs(task.id)
        committed = sum(1 for r in runs if r.state == "committed")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(task.created_at))
        request = " ".join(task.spec.request.split())[:60]
        print(f"{task.id}  {when}  {task.state:<11}  {committed}/{len(runs)} committed  {request}")
    return 0


def _show(journal: Journal, task_id: str, as_json: bool, with_events: bool) -> int:
    task = journal.task(task_id)
    if task is None:
        print(f"orchard tasks: no task {task_id}", file=sys.stderr)
        return 1
    runs = journal.runs(task_id)
    data = _task_json(task, runs)
    events = {r.id: journal.events(r.id) for r in runs}
    if as_json:
        data["events"] = {
            run_id: [{"seq": e.seq, "kind": e.kind, "data": dict(e.data), "at": e.at} for e in evs]
            for run_id, evs in events.items()
        }
        print(json.dumps(data, indent=2, default=str))
        return 0
    print(f"task {task.id}: {task.state} ({task.spec.mode})")
    print(f"request: {task.spec.request}")
    if task.snapshot:
        print(f"snapshot: {task.snapshot}")
    if task.error:
        print(f"error: {task.error}")
    for run in runs:
        where = run.worktree if Path(run.worktree).exists() else "(worktree removed)"
        print(f"  {run.agent_id:<20} {run.model:<28} {run.state:<11} {run.branch}  {where}")
        if run.error:
            print(f"      {run.error}")
        print(f"      {len(events[run.id])} events")
        if with_events:
            for event in events[run.id]:
                print(
                    f"      #{event.seq} {event.kind} {json.dumps(dict(event.data), default=str)}"
                )
    return 0


def _resume(root: Path, task_id: str, as_json: bool) -> int:
    """Run the task's interrupted agents again; exit as `orchard run` does, 1 if none can."""
    from orchard.cli.run import ProgressLines, drive_task, report_result  # agents: heavy imports

    settings = load_settings(root).settings
    try:
        result = asyncio.run(
            drive_task(root, settings, lambda o: o.resume_task(task_id), ProgressLines(sys.stderr))
        )
    except OrchardError as exc:
        print(f"orchard tasks: {exc}", file=sys.stderr)
        return 1
    return report_result(result, as_json)


def _discard(journal: Journal, root: Path, task_id: str) -> int:
    task = journal.task(task_id)
    if task is None:
        print(f"orchard tasks: no task {task_id}", file=sys.stderr)
        return 1
    if task.state.is_active:
        print(
            f"orchard tasks: task {task_id} is still running in another Orchard process;"
            " cancel it there first",
            file=sys.stderr,
        )
        return 1
    cleanup = discard_task(root, task_id)
    journal.discard(task_id)
    print(f"discarded {task_id}: {len(cleanup.worktrees)} worktrees, {len(cleanup.refs)} refs")
    return 0


def _clean(journal: Journal, root: Path, everything: bool) -> int:
    settings = load_settings(root).settings
    active = [t.id for t in journal.tasks() if t.state.is_active]
    ended = [t for t in journal.tasks() if t.state in ENDED]
    if everything:
        for task in ended:
            discard_task(root, task.id)
            journal.discard(task.id)
        print(f"discarded {len(ended)} ended tasks")
        return 0
    removed = prune(
        root, settings.agents.keep_worktrees, protect=lambda: {*active, *journal.live_task_ids()}
    )
    ended_ids = {t.id for t in ended}
    for worktree in list_task_worktrees(root):
        if worktree.task_id in ended_ids:
            remove_worktree(worktree)
            removed.append(worktree)
    print(f"removed {len(removed)} worktrees; branches kept (use --all to drop them too)")
    return 0
