"""`orchard tasks accept TASK [AGENT] [--json]` (and `orchard run --apply`): merge an agent's
result into the working tree through the service and say what was written and which conflicts
are left, with file:line. Parses and prints; the service does the merge.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from orchard.errors import OrchardError, TaskNotFound
from orchard.service import OrchardService
from orchard.service.accepting import AcceptResult


def accept_task(root: Path, task_id: str, agent_id: str | None, as_json: bool) -> int:
    """Accept and report; exit 0 merged cleanly, 1 conflicts left (or files kept moving),
    2 when the task or agent is unknown or has no result to choose."""
    result, code = try_accept(root, task_id, agent_id, "orchard tasks accept")
    return report_accepted(result, as_json) if result is not None else code


def try_accept(
    root: Path, task_id: str, agent_id: str | None, who: str
) -> tuple[AcceptResult | None, int]:
    """Accept through a service of its own; on failure say why on stderr and return the exit
    code (2: nothing to take as asked, 1: anything else, e.g. files kept moving)."""
    try:
        return asyncio.run(_accept(root, task_id, agent_id)), 0
    except TaskNotFound as exc:
        print(f"{who}: {exc}", file=sys.stderr)
        return None, 2
    except OrchardError as exc:
        print(f"{who}: {exc}", file=sys.stderr)
        return None, 1


async def _accept(root: Path, task_id: str, agent_id: str | None) -> AcceptResult:
    service = await OrchardService.open(root)
    try:
        return await service.accept(task_id, agent_id)
    finally:
        await service.close()


def report_accepted(result: AcceptResult, as_json: bool) -> int:
    """Print what accepting did (JSON or lines); return 0 when clean, 1 with conflicts left."""
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print("\n".join(accepted_lines(result)))
    return 1 if result.conflicts else 0


def accepted_lines(result: AcceptResult) -> list[str]:
    """Return the lines saying what accepting wrote and which conflicts are left."""
    lines = [f"accepted {result.task_id}/{result.agent_id} into the working tree"]
    lines += [f"  wrote    {path}" for path in result.written]
    lines += [f"  deleted  {path}" for path in result.deleted]
    lines += conflict_lines(result)
    if result.conflicts:
        lines.append(
            f"{len(result.conflicts)} files have conflicts left; resolve them, then commit"
        )
    return lines


def conflict_lines(result: AcceptResult) -> list[str]:
    """Return one `path:line: conflict ...` line per unresolved region (1-based lines)."""
    lines: list[str] = []
    for file in result.plan.conflicts:
        for region in file.unresolved:
            why = f" ({region.note})" if region.note else ""
            what = "conflict markers" if region.end_line > region.start_line else "conflict"
            lines.append(f"{file.path}:{region.start_line + 1}: {what}{why}")
    return lines
