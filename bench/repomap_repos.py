"""Repo map speed across real repositories, against the parse floor and Aider, in one run.

For each tree: the single-process parse floor, cold and warm `orchard map`, interpreter start-up,
the first focused map and fresh maps after edits in a running index (bench/repomap.py's live
phase), peak memory; then Aider 0.86.2's RepoMap on the same tree (cold, warm, focused, after
edits), from its own virtual environment, which this script creates. Every figure comes from a
child process timed here (wall seconds, and CPU seconds of the child and its workers); ratios
are to figures of the same run. Never fails on a time.

The trees, pinned (nothing of them is committed to Orchard):
  sqlalchemy  github.com/sqlalchemy/sqlalchemy at PINS["sqlalchemy"] (full history)
  saleor      github.com/saleor/saleor at PINS["saleor"] (full history)
  django      the Django 5.2 sdist from PyPI (sha256 below), committed once into a fresh repository
  litellm     the litellm package installed in Orchard's .venv, committed once likewise
Django and litellm are prepared by this script; clone the other two yourself, e.g.
  git clone https://github.com/sqlalchemy/sqlalchemy BASE/sqlalchemy
  git -C BASE/sqlalchemy checkout PIN

    python bench/repomap_repos.py --base /work/bench-repos [--only django,saleor] [--no-aider]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PINS = {
    "sqlalchemy": "f35da7e2b9349a08b8de1f6bd3b07c8bf8616790",
    "saleor": "723cd4eba87dfc72822ade45dc08a3caa548428d",
}
DJANGO_SDIST = (
    "Django-5.2.tar.gz",
    "1a47f7a7a3d43ce64570d350e008d2949abe8c7e21737b351b6a1611277c6d89",
)
AIDER = "aider-chat==0.86.2"
FOCUS = {  # a file to focus and edit in each tree (repo-relative)
    "django": "django/utils/text.py",
    "sqlalchemy": "lib/sqlalchemy/sql/selectable.py",
    "saleor": "saleor/order/utils.py",
    "litellm": "litellm/utils.py",
}


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _commit_once(root: Path, message: str) -> None:
    if (root / ".git").exists():
        return
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(
        root,
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.com",
        "commit",
        "-qm",
        message,
    )


def prepare_django(base: Path) -> Path:
    tree = base / "django"
    if not tree.exists():
        download = base / "django-dl"
        download.mkdir(parents=True, exist_ok=True)
        sdist = download / DJANGO_SDIST[0]
        if not sdist.exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    "django==5.2",
                    "-d",
                    str(download),
                ],
                check=True,
            )
        if hashlib.sha256(sdist.read_bytes()).hexdigest() != DJANGO_SDIST[1]:
            raise SystemExit(f"{sdist}: not the pinned Django 5.2 sdist")
        subprocess.run(
            ["tar", "xzf", str(sdist), "--no-same-owner", "-C", str(download)], check=True
        )
        (download / "Django-5.2").rename(tree)
    _commit_once(tree, "Django 5.2 sdist")
    return tree


def prepare_litellm(base: Path) -> Path:
    import litellm as _unused  # noqa: F401  (only to find it; not timed)

    tree = base / "litellm"
    if not tree.exists():
        spec = Path(sys.modules["litellm"].__file__ or "").parent
        shutil.copytree(spec, tree / "litellm", ignore=shutil.ignore_patterns("__pycache__"))
    _commit_once(tree, "litellm installed source")
    return tree


def prepare(base: Path, name: str) -> Path:
    if name == "django":
        return prepare_django(base)
    if name == "litellm":
        return prepare_litellm(base)
    tree = base / name
    if not tree.exists() or _git(tree, "rev-parse", "HEAD") != PINS[name]:
        raise SystemExit(f"{tree}: clone {name} and check out {PINS[name]} (see --help)")
    return tree


def prepare_aider(base: Path) -> Path:
    venv = base / "aider-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import aider, sys; print(aider.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.stdout.strip() != AIDER.split("==")[1]:
        subprocess.run([str(python), "-m", "pip", "install", "-q", AIDER], check=True)
    return python


def run_child(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Like timed(), reaping the child with wait4 so its own CPU time and peak are known."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}")
    lines = out.decode("utf-8", "replace").strip().splitlines()
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "last": lines[-1] if lines else "",
    }


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_orchard(tree: Path, focus: str, repeats: int) -> dict[str, Any]:
    orchard = [sys.executable, "-m", "orchard"]
    state = tree / ".git" / "orchard" / "state.db"
    for leftover in (state, state.with_name("state.db-wal"), state.with_name("state.db-shm")):
        leftover.unlink(missing_ok=True)
    floor = run_child([sys.executable, str(HERE / "repomap.py"), str(tree), "--phase", "floor"])
    startup = [run_child([*orchard, "--version"]) for _ in range(repeats)]
    cold = run_child([*orchard, "map", "--root", str(tree), "--tokens", "1024"])
    warm = [
        run_child([*orchard, "map", "--root", str(tree), "--tokens", "1024"])
        for _ in range(repeats)
    ]
    live = run_child(
        [
            sys.executable,
            str(HERE / "repomap.py"),
            str(tree),
            "--phase",
            "live",
            str(state),
            "--keystrokes",
            "50",
            "--maps",
            "20",
            "--target",
            focus,
        ]
    )
    return {
        "floor": floor,
        "startup": startup,
        "cold": cold,
        "warm": warm,
        "live": json.loads(live["last"]),
        "live_peak": live["peak_mb"],
        "floor_inner": json.loads(floor["last"]),
    }


def bench_aider(python: Path, tree: Path, focus: str) -> dict[str, Any]:
    driver = str(HERE / "aider_driver.py")
    shutil.rmtree(tree / ".aider.tags.cache.v4", ignore_errors=True)
    cold = run_child([str(python), driver, str(tree), "map"])
    warm = run_child([str(python), driver, str(tree), "map"])
    edits = run_child([str(python), driver, str(tree), "edits", focus], {"AIDER_EDITS": "5"})
    shutil.rmtree(tree / ".aider.tags.cache.v4", ignore_errors=True)
    return {"cold": cold, "warm": warm, "edits": edits, "edits_inner": json.loads(edits["last"])}


def report(name: str, files: int, o: dict[str, Any], a: dict[str, Any] | None) -> None:
    floor = o["floor"]["wall"]
    startup = _median(o["startup"], "wall")
    warm, warm_cpu = _median(o["warm"], "wall"), _median(o["warm"], "cpu")
    live = o["live"]
    print(f"\n## {name}: {files} files (floor in-process {o['floor_inner']['seconds']:.2f} s)")
    print(f"{'figure':<40} {'orchard':>10} {'aider':>10}  ratio")
    rows: list[tuple[str, float, float | None, str]] = [
        ("parse floor, 1 process (wall s)", floor, None, "1.00 x floor"),
        ("interpreter start-up (orchard --version)", startup, None, ""),
        (
            "cold map (wall s)",
            o["cold"]["wall"],
            a and a["cold"]["wall"],
            f"{o['cold']['wall'] / floor:.2f} x floor",
        ),
        (
            "warm map, unchanged tree (wall s, median)",
            warm,
            a and a["warm"]["wall"],
            f"{warm / o['cold']['wall']:.3f} x cold; {warm - startup:.2f} s over start-up",
        ),
        ("warm map (CPU s, median)", warm_cpu, a and a["warm"]["cpu"], ""),
        (
            "first focused map in a running index (s)",
            live["first_map"],
            a and a["edits_inner"]["seconds"],
            "",
        ),
        (
            "fresh map after an edit p50 (s)",
            live["map_p50"],
            a and a["edits_inner"].get("map_p50"),
            "",
        ),
        (
            "fresh map after an edit p95 (s)",
            live["map_p95"],
            a and a["edits_inner"].get("map_p95"),
            "",
        ),
        ("fresh map after an edit, CPU s p50", live["map_cpu_p50"], None, ""),
        ("fresh map after an edit, CPU s p95", live["map_cpu_p95"], None, ""),
        ("peak memory, cold (MB)", o["cold"]["peak_mb"], a and a["cold"]["peak_mb"], ""),
        ("peak memory, running index (MB)", o["live_peak"], a and a["edits"]["peak_mb"], ""),
    ]
    for label, mine, theirs, ratio in rows:
        other = f"{theirs:>10.3f}" if theirs is not None else f"{'-':>10}"
        print(f"{label:<40} {mine:>10.3f} {other}  {ratio}")
    print(f"fresh maps after an edit (s, in order): {live['map_times']}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=Path, required=True, help="folder holding the trees")
    parser.add_argument("--only", default="django,sqlalchemy,saleor,litellm")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-aider", action="store_true")
    parser.add_argument("--aider-only", action="store_true", help="only Aider's figures")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    base = args.base.resolve()
    python = None if args.no_aider else prepare_aider(base)
    results: dict[str, Any] = {}
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    for name in args.only.split(","):
        tree = prepare(base, name)
        if args.aider_only and python:
            aider = bench_aider(python, tree, FOCUS[name])
            results[name] = {"aider": aider}
            print(f"\n## {name} (Aider only)\n{json.dumps(aider, indent=1)}")
            sys.stdout.flush()
            continue
        orchard = bench_orchard(tree, FOCUS[name], args.repeats)
        aider = bench_aider(python, tree, FOCUS[name]) if python else None
        results[name] = {"orchard": orchard, "aider": aider}
        report(name, orchard["floor_inner"]["files"], orchard, aider)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nload average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
