"""`orchard run "REQUEST"`: runs agents headless, with a live line per agent on stderr and a final
table (or JSON) on stdout. The user's branch, index and files are never touched: results stay
on `orchard/<task>/<agent>` branches, unless `--apply` accepts the recommended one into the
working tree at the end. Parses flags and prints; the service does the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from orchard.agents.events import Event, PlanMade, RunProgress, RunStateChanged, TaskStarted
from orchard.agents.orchestrator import TaskHandle
from orchard.agents.outcome import RunOutcome
from orchard.agents.result import TaskResult
from orchard.agents.task import RunState, TaskLimits, TaskMode
from orchard.config import find_repository_root
from orchard.errors import ModelsNotReady, OrchardError, SettingsError, WorkspaceError
from orchard.review.reviewer import describe_finding
from orchard.service import OrchardService, TaskRequest

MODES = {"best-of": TaskMode.BEST_OF_N, "fan-out": TaskMode.FAN_OUT}
MAX_SHOWN_FINDINGS = 5
COLUMNS = ("agent", "model", "state", "files", "lint", "tests", "tokens", "cost", "time", "branch")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `run` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run", help="run coding agents on a request, each on its own branch and worktree"
    )
    parser.add_argument("request", help="what the agents should do")
    parser.add_argument("--models", help="comma-separated litellm model strings, one agent each")
    parser.add_argument("--model", help="one litellm model string for every agent (see --agents)")
    parser.add_argument("--agents", type=int, default=None, help="number of agents (default 1)")
    parser.add_argument("--mode", choices=sorted(MODES), default="best-of", help="default best-of")
    parser.add_argument("--files", nargs="+", default=[], metavar="FILE", help="files to edit")
    parser.add_argument(
        "--read-only", nargs="+", default=[], metavar="FILE", help="files shown, not edited"
    )
    parser.add_argument("--max-tokens", type=int, default=None, help="token budget of the task")
    parser.add_argument("--max-cost", type=float, default=None, help="cost budget in USD")
    parser.add_argument("--test-timeout", type=float, default=None, help="seconds per test run")
    parser.add_argument(
        "--max-time", type=float, default=None, metavar="SECONDS", help="wall-clock limit (s)"
    )
    parser.add_argument(
        "--parallel-overlaps",
        action="store_true",
        help="fan-out: run subtasks that share a file at once (default: one after the other)",
    )
    parser.add_argument("--root", default=None, help="repository (default: the one around .)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--apply",
        action="store_true",
        help="accept the recommended result into the working tree when the run ends",
    )
    return parser


def task_request(args: argparse.Namespace) -> TaskRequest:
    """Turn the flags into a task request; raise SettingsError on flags that contradict."""
    if args.models and args.model:
        raise SettingsError("use either --models or --model, not both")
    if args.models and args.agents is not None:
        raise SettingsError("--agents goes with --model; --models already says one per agent")
    if args.models is not None and not [m for m in args.models.split(",") if m.strip()]:
        raise SettingsError("--models names no model")
    models: tuple[str, ...] = ()
    if args.models:
        models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    elif args.model:
        models = (args.model.strip(),)
    if args.max_time is not None and args.max_time <= 0:
        raise SettingsError("--max-time must be a positive number of seconds")
    return TaskRequest(
        request=args.request,
        models=models,
        agents=args.agents,
        mode=MODES[args.mode],
        files=tuple(args.files),
        read_only=tuple(args.read_only),
        limits=TaskLimits(
            max_tokens=args.max_tokens,
            max_cost_usd=args.max_cost,
            test_timeout=args.test_timeout,
            max_seconds=args.max_time,
        ),
        parallel_overlaps=args.parallel_overlaps,
    )


class ProgressLines:
    """One line per agent on stderr: rewritten in place on a terminal, appended otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.lines: dict[str, list[str]] = {}  # agent -> [model, state, tokens]
        self._drawn = 0

    def __call__(self, event: Event) -> None:
        if isinstance(event, TaskStarted):
            self.stream.write(f"task {event.task_id}: snapshot {event.snapshot[:12]}\n")
            for agent, model in event.agents:
                self.lines[agent] = [model, "queued", "0"]
            self._draw(None)
        elif isinstance(event, PlanMade):
            for agent, title, files in event.subtasks:
                self._say(f"plan: {agent}: {title} ({', '.join(files) or 'no files named'})")
            for path, owners in event.overlaps:
                self._say(f"plan: {path} is shared by {', '.join(owners)}")
        elif isinstance(event, RunStateChanged) and event.agent_id in self.lines:
            state = str(event.state) + (f" ({event.reason})" if event.reason else "")
            self.lines[event.agent_id][1] = state
            self._draw(event.agent_id)
        elif isinstance(event, RunProgress) and event.agent_id in self.lines:
            self.lines[event.agent_id][2] = str(event.tokens)
            if self.tty:
                self._draw(None)

    def _say(self, text: str) -> None:
        self._erase()
        self.stream.write(text + "\n")
        self._draw(None)

    def _line(self, agent: str) -> str:
        model, state, tokens = self.lines[agent]
        return f"  {agent:<20} {model:<28} {state:<24} {tokens:>7} tok"

    def _erase(self) -> None:
        if self.tty and self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def _draw(self, changed: str | None) -> None:
        if self.tty:
            self._erase()
            for agent in self.lines:
                self.stream.write(self._line(agent)[: _width()] + "\n")
            self._drawn = len(self.lines)
        elif changed is not None:
            self.stream.write(self._line(changed).rstrip() + "\n")
        self.stream.flush()


def _width() -> int:
    return shutil.get_terminal_size((120, 20)).columns - 1


def render_table(outcomes: list[RunOutcome]) -> str:
    """Return the final table: one row per agent."""
    rows = [list(COLUMNS)]
    for o in outcomes:
        lint = (
            "-" if o.lint_errors is None else ("ok" if o.lint_errors == 0 else f"{o.lint_errors}")
        )
        rows.append(
            [
                o.agent_id,
                o.model,
                str(o.state),
                str(len(o.files)),
                lint,
                o.tests,
                str(o.tokens),
                f"${o.cost_usd:.4f}",
                f"{o.seconds:.1f}s",
                o.branch if o.state is RunState.COMMITTED else "-",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def render_result(result: TaskResult) -> str:
    """Return the table, the failures' reasons, and how to look at and merge the results."""
    lines = [render_table(list(result.outcomes))]
    for o in result.outcomes:
        if o.error and o.state is not RunState.COMMITTED:
            lines.append(f"{o.agent_id}: {o.error}")
    lines.extend(review_lines(result))
    committed = result.committed
    if result.integration is not None:
        lines.extend(["", *result.integration.summary()])
        lines.append("Look at it:        git diff HEAD..." + result.integration.branch)
        lines.append(f"Take it:           orchard tasks accept {result.task_id} integration")
    elif committed:
        lines.append("")
        agent = "" if len(committed) == 1 else " [agent]"
        lines.append("Look at a result:  git diff HEAD..." + committed[0].branch)
        lines.append(f"Take it:           orchard tasks accept {result.task_id}{agent}")
    lines.append(f"Discard this task: orchard tasks discard {result.task_id}")
    return "\n".join(lines)


def review_lines(result: TaskResult) -> list[str]:
    """Return each reviewed agent's findings, one line each, and the judge's recommendation."""
    lines = []
    for agent, findings in result.findings.items():
        counts = Counter(str(f.severity) for f in findings)
        said = ", ".join(f"{n} {severity}" for severity, n in counts.items()) or "no findings"
        lines.append(f"{agent}: review: {said}")
        lines.extend(f"    {describe_finding(f)}" for f in findings[:MAX_SHOWN_FINDINGS])
    if result.recommendation is not None:
        lines.append(result.recommendation.summary())
    return lines


StartTask = Callable[[OrchardService], Awaitable[TaskHandle]]


async def drive_task(root: Path, start: StartTask, progress: ProgressLines) -> TaskResult:
    """Open the service, start a task with `start` (new or resumed), wait for it with progress."""
    service = await OrchardService.open(root)
    service.bus.add_listener(progress)
    try:
        return await service.wait(await start(service))
    finally:
        await service.close()


def run(args: argparse.Namespace) -> int:
    """Run the agents and print the result; exit 0 if one committed, 1 if none, 2 on misuse."""
    start = Path(args.root) if args.root else Path.cwd()
    root = find_repository_root(start)
    if root is None:
        print(f"orchard run: {start} is not inside a git repository", file=sys.stderr)
        return 2
    try:
        request = task_request(args)
        result = asyncio.run(
            drive_task(root, lambda service: service.start_task(request), ProgressLines(sys.stderr))
        )
    except ModelsNotReady as exc:  # one line per model that cannot be called, nothing created
        for line in str(exc).splitlines():
            print(f"orchard run: {line}", file=sys.stderr)
        return 2
    except (SettingsError, WorkspaceError) as exc:
        print(f"orchard run: {exc}", file=sys.stderr)
        return 2
    except OrchardError as exc:
        print(f"orchard run: {exc}", file=sys.stderr)
        return 1
    if not (args.apply and result.committed):
        return report_result(result, args.json)
    return _apply(root, result, args.json)


def _apply(root: Path, result: TaskResult, as_json: bool) -> int:
    """Accept the recommended result and print the run with it; 0 only when merged cleanly."""
    from orchard.cli.accept import accepted_lines, try_accept

    accepted, code = try_accept(root, result.task_id, None, "orchard run --apply")
    if as_json:
        data = result.to_json()
        data["accepted"] = accepted.to_json() if accepted is not None else None
        print(json.dumps(data, indent=2))
    else:
        report_result(result, False)
        if accepted is not None:
            print("\n".join(accepted_lines(accepted)))
    if accepted is None:
        return code
    return 1 if accepted.conflicts else 0


def report_result(result: TaskResult, as_json: bool) -> int:
    """Print the result (table or JSON); return 0 if an agent committed, 1 otherwise."""
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(render_result(result))
        for outcome in result.outcomes:
            for note in outcome.notes:  # e.g. a linter refused for running agent-written code
                print(f"{outcome.agent_id}: {note}", file=sys.stderr)
    return 0 if result.committed else 1
