"""Bringing a result back: Orchard's merge plan plus writing it into the working tree, against
plain `git merge-tree --write-tree` on the same three trees, in the same run (target <= 1.5x).

A synthetic repository (deterministic, generated in a temporary folder), an agent commit that
edits 100 files off a snapshot, and a user who meanwhile edited other lines of 30 of them in the
working tree. `--real DIR` runs the same on a clone of a real repository too (its tracked
.py files). Prints medians of wall and CPU time, of the plan and the writing apart too; never
fails on a time. TMPDIR picks where the repositories are built (the file system is part of what
is measured: writing the files is most of an accept). Two parts any accept needs are timed
alone too, as a floor: git's diff of the agent's commit against the snapshot (what changed), and
writing the touched files atomically.

    python bench/merge.py [--files 5000] [--touched 100] [--dirty 30] [--repeat 7] [--real DIR]
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from orchard.vcs.apply_plan import apply_plan, write_atomically
from orchard.vcs.merge import plan_merge
from orchard.vcs.merge_plan import MergePlan
from orchard.vcs.snapshot import create_snapshot
from orchard.vcs.worktree import commit_worktree, create_worktree

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


def make_repository(root: Path, files: int) -> list[str]:
    """A repository of `files` Python files of ~60 lines in nested folders; return the paths."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    body = "".join(f"def function_{n}(value):\n    return value * {n}\n\n" for n in range(20))
    paths = []
    for n in range(files):
        rel = f"pkg{n // 1000:02d}/mod{(n // 100) % 10}/file{n}.py"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"# file {n}\n{body}")
        paths.append(rel)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "large repository")
    return paths


@dataclass(frozen=True, slots=True)
class Scenario:
    """The three sides: the snapshot, the agent's commit, the user's state (also as a commit)."""

    root: Path
    snapshot: str
    agent: str
    user: str  # the user's working state committed (for merge-tree only; HEAD never moves)
    user_files: dict[str, bytes]  # what the working tree holds before each accept


def prepare(root: Path, paths: list[str], touched: int, dirty: int) -> Scenario:
    """Snapshot, let an 'agent' edit the first line of `touched` files, the user the last line
    of `dirty` of those afterwards."""
    step = max(1, len(paths) // touched)
    chosen = paths[::step][:touched]
    snapshot = create_snapshot(root, "bench")
    worktree = create_worktree(snapshot, "agent")
    for rel in chosen:
        target = worktree.path / rel
        lines = target.read_text().splitlines(keepends=True)
        lines[0] = lines[0].rstrip("\n") + "  # edited by the agent\n"
        target.write_text("".join(lines))
    agent = commit_worktree(worktree, "agent work", "bench/model")
    assert agent is not None
    user_files: dict[str, bytes] = {}
    for rel in chosen[:: max(1, touched // dirty)][:dirty]:
        target = root / rel
        text = target.read_text()
        if not text.endswith("\n"):
            text += "\n"
        target.write_text(text + "# the user's own line\n")
        user_files[rel] = target.read_bytes()
    for rel in chosen:
        user_files.setdefault(rel, (root / rel).read_bytes())
    user = create_snapshot(root, "bench-user").commit
    return Scenario(root, snapshot.commit, agent, user, user_files)


def _cpu() -> float:
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object]) -> tuple[float, float]:
    start, cpu = time.perf_counter(), _cpu()
    action()
    return time.perf_counter() - start, _cpu() - cpu


def orchard_accept(scenario: Scenario) -> tuple[tuple[float, float], tuple[float, float]]:
    """Plan the merge into the working tree and write it, timed apart; then put the user's
    files back."""
    plans: list[MergePlan] = []

    def plan() -> None:
        plans.append(plan_merge(scenario.root, "bench", "agent", scenario.snapshot,
                                scenario.agent))  # fmt: skip
        assert plans[0].is_clean, [f.path for f in plans[0].conflicts]

    planned = timed(plan)
    applied = timed(lambda: apply_plan(scenario.root, plans[0]))
    for rel, content in scenario.user_files.items():
        (scenario.root / rel).write_bytes(content)
    return planned, applied


def plain_merge_tree(scenario: Scenario) -> tuple[float, float]:
    """Baseline: git's own three-way merge of the same trees, written as a tree object only."""
    return timed(lambda: git(scenario.root, "merge-tree", "--write-tree", scenario.user,
                             scenario.agent))  # fmt: skip


def changed_paths(scenario: Scenario) -> tuple[float, float]:
    """A part every plan needs: what the agent changed since the snapshot (git's rename-aware
    diff of the two commits, the input merge-tree works out for itself)."""
    return timed(lambda: git(scenario.root, "diff", "--raw", "-z", "-M", "--no-abbrev",
                             scenario.snapshot, scenario.agent))  # fmt: skip


def bare_writes(scenario: Scenario) -> tuple[float, float]:
    """Another: writing the touched files atomically (temporary file, then rename), with
    nothing else; then the user's files are put back."""
    targets = [(scenario.root / rel, content + b"# merged\n")
               for rel, content in scenario.user_files.items()]  # fmt: skip
    result = timed(lambda: [write_atomically(target, content, 0o644)
                            for target, content in targets])  # fmt: skip
    for rel, content in scenario.user_files.items():
        (scenario.root / rel).write_bytes(content)
    return result


def measure(scenario: Scenario, repeat: int, label: str) -> None:
    orchard_accept(scenario)  # warm the page cache and git's object lookups for both sides
    plain_merge_tree(scenario)
    plans, applies, totals, theirs, diffs, writes = [], [], [], [], [], []
    for n in range(repeat):
        if n % 2:
            theirs.append(plain_merge_tree(scenario))
        planned, applied = orchard_accept(scenario)
        plans.append(planned)
        applies.append(applied)
        totals.append((planned[0] + applied[0], planned[1] + applied[1]))
        if not n % 2:
            theirs.append(plain_merge_tree(scenario))
        diffs.append(changed_paths(scenario))
        writes.append(bare_writes(scenario))
    floors = [(d[0] + w[0], d[1] + w[1]) for d, w in zip(diffs, writes, strict=True)]
    rows = {
        "orchard plan_merge": plans,
        "orchard apply_plan": applies,
        "orchard plan_merge + apply_plan": totals,
        "git merge-tree --write-tree": theirs,
        "part: git diff --raw -M alone": diffs,
        "part: atomic writes alone": writes,
        "parts: diff + writes": floors,
    }
    medians = {name: tuple(statistics.median(t[i] for t in times) for i in (0, 1))
               for name, times in rows.items()}  # fmt: skip
    print(f"\n{label}")
    print(f"  {'':<36}{'wall ms':>9}{'cpu ms':>9}")
    for name, (wall, cpu) in medians.items():
        print(f"  {name:<36}{wall * 1000:>9.0f}{cpu * 1000:>9.0f}")
    ours, base = medians["orchard plan_merge + apply_plan"], medians["git merge-tree --write-tree"]
    plan, parts = medians["orchard plan_merge"], medians["parts: diff + writes"]
    print(f"  ratio (target <= 1.5): {ours[0] / base[0]:.2f}x wall, {ours[1] / base[1]:.2f}x cpu")
    print(f"  the plan alone: {plan[0] / base[0]:.2f}x wall, {plan[1] / base[1]:.2f}x cpu")
    print(f"  two parts any accept needs, without merging anything: "
          f"{parts[0] / base[0]:.2f}x wall, {parts[1] / base[1]:.2f}x cpu")  # fmt: skip


def real_scenario(source: Path, folder: Path, touched: int, dirty: int) -> Scenario:
    """Clone a real repository (never touching it) and take its tracked .py files."""
    root = folder / "real"
    subprocess.run(["git", "clone", "-q", "--local", str(source), str(root)], env=ENV, check=True)
    paths = sorted(p for p in git(root, "ls-files", "*.py").splitlines() if (root / p).is_file())
    # files of 10+ lines, so the agent's first line and the user's last one never touch
    paths = [p for p in paths if not (root / p).is_symlink()
             and (root / p).read_bytes().count(b"\n") >= 10]  # fmt: skip
    return prepare(root, paths, touched, dirty)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--touched", type=int, default=100)
    parser.add_argument("--dirty", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--real", type=Path, default=None, help="a real repository to clone")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the temporary folder goes
    with tempfile.TemporaryDirectory(prefix="orchard-bench-merge-") as folder:
        root = Path(folder) / "synthetic"
        print(f"building a repository of {args.files} files ...", flush=True)
        paths = make_repository(root, args.files)
        scenario = prepare(root, paths, args.touched, args.dirty)
        measure(scenario, args.repeat, f"synthetic: {args.files} files, agent edits "
                f"{args.touched}, user edited other lines of {args.dirty} of them")  # fmt: skip
        if args.real is not None:
            real = real_scenario(args.real, Path(folder), args.touched, args.dirty)
            count = len(git(real.root, "ls-files").splitlines())
            measure(real, args.repeat, f"{args.real.name}: {count} files, same edits")
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
