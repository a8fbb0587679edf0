"""Worktree creation for N agents on a large repository: Orchard's API against plain
`git worktree add -b`, measured in the same run (target: Orchard ≤ 1.2× the baseline).

Also times the snapshot of a dirty work tree against `git stash create` (which, unlike the
snapshot, leaves untracked files and unsaved buffers out). Prints figures; never fails on a time.

    python bench/worktrees.py [--files 20000] [--agents 1,4,8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from orchard.vcs.cleanup import discard_task
from orchard.vcs.snapshot import Snapshot, create_snapshot
from orchard.vcs.worktree import create_worktree

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@orchard.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@orchard.invalid",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, env=ENV, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def make_repository(root: Path, files: int) -> None:
    """A repository of `files` small Python files in nested folders, then a dirty work tree."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    body = "".join(f"def function_{n}(value):\n    return value * {n}\n\n" for n in range(30))
    for n in range(files):
        folder = root / f"pkg{n // 1000:02d}" / f"mod{(n // 100) % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{n}.py").write_text(f"# file {n}\n{body}")
    (root / ".gitignore").write_text("*.log\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "large repository")
    for n in range(0, files, max(1, files // 50)):  # ~50 modified files
        path = next((root / f"pkg{n // 1000:02d}" / f"mod{(n // 100) % 10}").glob(f"file{n}.py"))
        path.write_text(path.read_text() + "# edited\n")
    for n in range(20):
        (root / f"new_{n}.py").write_text(f"NEW = {n}\n")
    (root / "debug.log").write_text("ignored\n")


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall-clock seconds, and CPU seconds of this process and its git children together.

    CPU time is the steadier figure on a shared machine: other load stretches the wall clock.
    """

    wall: float
    cpu: float


def _cpu() -> float:
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object]) -> Timing:
    os.sync()  # the previous round's deletions must not be written back during this one
    start, cpu = time.perf_counter(), _cpu()
    action()
    return Timing(time.perf_counter() - start, _cpu() - cpu)


def median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def plain_worktrees(root: Path, snapshot: Snapshot, agents: int, tag: str) -> Timing:
    """Baseline: `git worktree add -b` for each agent, one after another."""
    home = root.parent / f"plain-{tag}"

    def run() -> None:
        for n in range(agents):
            git(
                root,
                "worktree",
                "add",
                "-q",
                "-b",
                f"plain/{tag}/{n}",
                str(home / str(n)),
                snapshot.commit,
            )

    seconds = timed(run)
    for n in range(agents):
        git(root, "worktree", "remove", "--force", str(home / str(n)))
        git(root, "branch", "-q", "-D", f"plain/{tag}/{n}")
    shutil.rmtree(home, ignore_errors=True)
    return seconds


def orchard_worktrees(root: Path, snapshot: Snapshot, agents: int, parallel: bool) -> Timing:
    """Orchard's API: `create_worktree` per agent, in turn or from a thread pool."""
    names = [f"agent-{n}" for n in range(agents)]
    snapshot = dataclasses.replace(snapshot, task_id=f"bench-{agents}-{int(parallel)}")

    def run() -> None:
        if parallel:
            with ThreadPoolExecutor(max_workers=agents) as pool:
                list(pool.map(lambda name: create_worktree(snapshot, name), names))
        else:
            for name in names:
                create_worktree(snapshot, name)

    seconds = timed(run)
    discard_task(root, snapshot.task_id)
    return seconds


def measure(root: Path, snapshot: Snapshot, agents: int, repeat: int) -> list[Timing]:
    """Median timings of plain git, Orchard in turn and Orchard in parallel, order rotated."""
    times: list[list[Timing]] = [[], [], []]
    for r in range(repeat):
        methods = [
            partial(plain_worktrees, root, snapshot, agents, f"{agents}-{r}"),
            partial(orchard_worktrees, root, snapshot, agents, False),
            partial(orchard_worktrees, root, snapshot, agents, True),
        ]
        for index in [(r + k) % 3 for k in range(3)]:  # rotate who goes first
            times[index].append(methods[index]())
    return [median(t) for t in times]


def bench_snapshot(root: Path, repeat: int) -> None:
    ours = [
        timed(lambda: create_snapshot(root, "snapbench", {"buffer.py": "B = 1\n"}))
        for _ in range(repeat)
    ]
    stash = [timed(lambda: git(root, "stash", "create")) for _ in range(repeat)]
    discard_task(root, "snapbench")
    a, b = median(ours), median(stash)
    print(f"{'':<34}{'wall':>10} {'cpu':>10}")
    print(f"{'snapshot (dirty tree + buffer)':<34}{a.wall * 1000:>7.0f} ms {a.cpu * 1000:>7.0f} ms")
    print(
        f"{'git stash create (baseline)':<34}{b.wall * 1000:>7.0f} ms {b.cpu * 1000:>7.0f} ms"
        f"   ratio {a.wall / b.wall:.2f}x wall, {a.cpu / b.cpu:.2f}x cpu"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--agents", default="1,4,8")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the temporary repository goes
    counts = [int(n) for n in args.agents.split(",")]
    with tempfile.TemporaryDirectory(prefix="orchard-bench-") as folder:
        root = Path(folder) / "repo"
        print(f"building a repository of {args.files} files ...", flush=True)
        make_repository(root, args.files)
        snapshot = create_snapshot(root, "bench", {"buffer.py": "B = 1\n"})
        plain_worktrees(root, snapshot, 1, "warmup")  # fill the page cache for both sides
        bench_snapshot(root, max(args.repeat, 3))
        print(
            "\nseconds, wall / cpu; ratio = Orchard / plain `git worktree add -b` (target <= 1.2)"
        )
        print(
            f"{'agents':>6} | {'plain git':>13} | {'orchard, in turn':>16} {'ratio':>11}"
            f" | {'orchard, threads':>16} {'ratio':>11}"
        )
        for agents in counts:
            p, s, q = measure(root, snapshot, agents, args.repeat)
            print(
                f"{agents:>6} | {p.wall:>6.2f} {p.cpu:>6.2f} | {s.wall:>8.2f} {s.cpu:>7.2f}"
                f" {s.wall / p.wall:>5.2f} {s.cpu / p.cpu:>5.2f} | {q.wall:>8.2f} {q.cpu:>7.2f}"
                f" {q.wall / p.wall:>5.2f} {q.cpu / p.cpu:>5.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
