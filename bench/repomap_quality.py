"""Repo map quality: context recall on real history, against a naive baseline run alongside.

For recent commits that changed 2-6 source files: check out the parent, focus the map on the
commit's most-changed file, and count how many of the commit's other files the map shows at
1,024 and 4,096 tokens. The baseline lists the focus file's folder, then its neighbours, by
path, within the same budget. Only history up to each parent is visible to the map (co-change
is mined from the checked-out HEAD). The repository is cloned first; the original is untouched.

    python bench/repomap_quality.py /path/to/repo [--commits 60]

Prints recall per budget for Orchard and the baseline, and the same for test-file targets.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

BUDGETS = (1024, 4096)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@dataclass
class Case:
    sha: str
    focus: str
    others: list[str]


@dataclass
class Tally:
    found: dict[int, int] = field(default_factory=lambda: dict.fromkeys(BUDGETS, 0))
    total: int = 0
    tests_found: dict[int, int] = field(default_factory=lambda: dict.fromkeys(BUDGETS, 0))
    tests_total: int = 0


def pick_cases(root: Path, wanted: int) -> list[Case]:
    from orchard.repomap.languages import language_for, languages_with_tags

    tagged = languages_with_tags()
    cases: list[Case] = []
    for sha in git(root, "rev-list", "--no-merges", "--max-count=2000", "HEAD").split():
        if len(cases) >= wanted:
            break
        parents = git(root, "rev-list", "--parents", "-n", "1", sha).split()[1:]
        if len(parents) != 1:
            continue
        changed: list[tuple[int, str]] = []
        for line in git(root, "show", "--numstat", "--format=", "--no-renames", sha).splitlines():
            added, removed, path = line.split("\t", 2)
            if added == "-" or language_for(path) not in tagged:
                continue
            changed.append((int(added) + int(removed), path))
        if not 2 <= len(changed) <= 6:
            continue
        existing = set(git(root, "ls-tree", "-r", "--name-only", parents[0]).splitlines())
        changed = [(n, p) for n, p in changed if p in existing]  # files the parent already had
        if len(changed) < 2:
            continue
        changed.sort(key=lambda item: (-item[0], item[1]))
        cases.append(Case(sha, changed[0][1], [p for _, p in changed[1:]]))
    return cases


def naive_listing(files: list[str], focus: str, budget: int) -> set[str]:
    """The focus file's folder, then the folders nearest it, as paths within `budget`."""
    from orchard.repomap.tokens import count_tokens

    home = PurePosixPath(focus).parent.parts

    def distance(path: str) -> tuple[int, str]:
        parts = PurePosixPath(path).parent.parts
        shared = 0
        for a, b in zip(parts, home, strict=False):
            if a != b:
                break
            shared += 1
        return (len(parts) - shared) + (len(home) - shared), path

    shown: set[str] = set()
    used = 0
    for path in sorted((f for f in files if f != focus), key=distance):
        cost = count_tokens(path + "\n")
        if used + cost > budget:
            break
        shown.add(path)
        used += cost
    return shown


def is_test(path: str) -> bool:
    from orchard.repomap.pairing import split_test

    return split_test(path)[0]


def run(root: Path, cases: list[Case]) -> tuple[Tally, Tally, float]:
    from orchard.repomap import MapRequest, RepoMap
    from orchard.repomap.index import RepoIndex, open_store

    orchard, naive = Tally(), Tally()
    spent = 0.0
    for number, case in enumerate(cases, start=1):
        git(root, "checkout", "-q", "--detach", f"{case.sha}^")
        started = time.perf_counter()
        index = RepoIndex(root, store=open_store(root))
        index.build()
        repo_map = RepoMap(index)
        shown = {
            budget: {
                p
                for p, _ in repo_map.render(
                    MapRequest(focus_files=(case.focus,), tokens=budget)
                ).files
            }
            for budget in BUDGETS
        }
        spent += time.perf_counter() - started
        files = index.files()
        for tally, found in (
            (orchard, shown),
            (naive, {b: naive_listing(files, case.focus, b) for b in BUDGETS}),
        ):
            tally.total += len(case.others)
            tests = [p for p in case.others if is_test(p)]
            tally.tests_total += len(tests)
            for budget in BUDGETS:
                tally.found[budget] += sum(p in found[budget] for p in case.others)
                tally.tests_found[budget] += sum(p in found[budget] for p in tests)
        print(f"[{number}/{len(cases)}] {case.sha[:10]} focus {case.focus}", file=sys.stderr)
    return orchard, naive, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--commits", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "clone"
        subprocess.run(
            ["git", "clone", "-q", "--no-hardlinks", str(args.repo.resolve()), str(clone)],
            check=True,
        )
        cases = pick_cases(clone, args.commits)
        if not cases:
            raise SystemExit("no commit changed 2-6 source files")
        orchard, naive, spent = run(clone, cases)
    print(
        f"repository: {args.repo} — {len(cases)} commits, {orchard.total} target files "
        f"({orchard.tests_total} of them tests); {spent / len(cases):.2f}s per case"
    )
    print(f"{'map':<22} {'recall @1k':>11} {'recall @4k':>11} {'tests @1k':>10} {'tests @4k':>10}")
    for label, tally in (("orchard", orchard), ("naive folder listing", naive)):
        cells = [100 * tally.found[b] / max(tally.total, 1) for b in BUDGETS]
        tests = [f"{tally.tests_found[b]}/{tally.tests_total}" for b in BUDGETS]
        print(f"{label:<22} {cells[0]:>10.0f}% {cells[1]:>10.0f}% {tests[0]:>10} {tests[1]:>10}")


if __name__ == "__main__":
    main()
