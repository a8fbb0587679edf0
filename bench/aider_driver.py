"""Runs Aider's RepoMap on a tree, for bench/repomap_repos.py; executed by Aider's own Python.

    aider-venv/bin/python bench/aider_driver.py ROOT MODE [FOCUS]

MODE is `map` (one map, unfocused, or focused on FOCUS) or `edits` (fresh maps after edits to
FOCUS). Prints one JSON line. It imports nothing from Orchard; Orchard never imports it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def _files(root: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [os.path.join(root, p) for p in listed if os.path.isfile(os.path.join(root, p))]


def main() -> None:
    root, mode = os.path.abspath(sys.argv[1]), sys.argv[2]
    focus = sys.argv[3] if len(sys.argv) > 3 else None
    from aider.io import InputOutput
    from aider.models import Model
    from aider.repomap import RepoMap

    io = InputOutput(pretty=False, yes=True, fancy_input=False)
    model = Model("gpt-4o")
    # Same budget with or without chat files; "always": a map reflects the files on disk now.
    repo_map = RepoMap(
        map_tokens=1024, root=root, main_model=model, io=io, map_mul_no_files=1, refresh="always"
    )
    files = _files(root)
    chat = [os.path.join(root, focus)] if focus else []
    others = [f for f in files if f not in chat]
    started = time.perf_counter()
    text = repo_map.get_repo_map(chat, others) or ""
    first = time.perf_counter() - started
    result: dict[str, object] = {"seconds": first, "chars": len(text), "files": len(files)}
    if mode == "edits" and focus:
        path = os.path.join(root, focus)
        with open(path, encoding="utf-8") as handle:
            original = handle.read()
        times = []
        try:
            for i in range(int(os.environ.get("AIDER_EDITS", "10"))):
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(f"\n\ndef bench_map_{i}(value):\n    return value\n")
                started = time.perf_counter()
                repo_map.get_repo_map(chat, others)
                times.append(time.perf_counter() - started)
        finally:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(original)
        ordered = sorted(times)
        result["map_p50"] = statistics.median(times)
        result["map_p95"] = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
