"""Repo map speed: cold index, warm start, keystroke update and fresh map, against the floor.

The floor is one process that only reads every file, parses it and runs the tags query, measured
in the same run. Each phase runs in its own process so its memory and caches are its own.

    python bench/repomap.py /path/to/a/big/work/tree [--keystrokes 200] [--maps 30]

Prints each figure and its ratio to the floor; never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_floor(root: Path) -> dict[str, Any]:
    from orchard.repomap.scan import list_files, read_content
    from orchard.repomap.tags import TagExtractor

    files = list_files(root)
    started = time.perf_counter()
    extractor = TagExtractor()  # queries compiled once per language, as the index does
    tags = 0
    for rel_path in files:
        content = read_content(root / rel_path, 1_000_000)
        if content.data is not None:
            tags += len(extractor.extract(rel_path, content.data))
    return {"seconds": time.perf_counter() - started, "files": len(files), "tags": tags}


def _index(root: Path, db: Path) -> Any:
    from orchard.memory.tag_cache import TagStore
    from orchard.repomap.index import RepoIndex
    from orchard.repomap.tags import TAGS_VERSION

    return RepoIndex(root, store=TagStore(db, TAGS_VERSION))


def phase_build(root: Path, db: Path) -> dict[str, Any]:
    index = _index(root, db)
    started = time.perf_counter()
    stats = index.build()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "files": stats.files,
        "parsed": stats.parsed,
        "from_cache": stats.from_cache,
        "peak_mb": _peak_mb(),
    }


def _pick_big_file(index: Any, lines: int) -> str:
    best, best_gap = "", 1 << 30
    for rel_path in index.files():
        record = index.records.get(rel_path)
        if record is None or record.language != "python" or not index.graph.defines(rel_path):
            continue
        count = (index.root / rel_path).read_bytes().count(b"\n")
        if abs(count - lines) < best_gap:
            best, best_gap = rel_path, abs(count - lines)
    return best


def phase_live(
    root: Path, db: Path, keystrokes: int, maps: int, target: str | None = None
) -> dict[str, Any]:
    from orchard.repomap import MapRequest, RepoMap, TextEdit

    index = _index(root, db)
    index.build()
    repo_map = RepoMap(index)
    target = target or _pick_big_file(index, 2000)
    text = (root / target).read_text("utf-8")
    index.update_document(target, text)
    request = MapRequest(active_file=target, tokens=1024)
    started = time.perf_counter()
    repo_map.render(request)
    first_map = time.perf_counter() - started
    line = text.count("\n") // 2
    insert_at = sum(len(x) + 1 for x in text.split("\n")[:line])
    typed = "".join(f"\ndef bench_added_{i}(value):\n    return value + {i}\n" for i in range(99))
    key_times: list[float] = []
    flush_times: list[float] = []
    current = text
    for i in range(keystrokes):
        char = typed[i % len(typed)]
        before = current[:insert_at]
        row = before.count("\n")
        column = len(before) - (before.rfind("\n") + 1)
        current = before + char + current[insert_at:]
        insert_at += 1
        edit = TextEdit(row, column, row, column, char)
        started = time.perf_counter()
        index.update_document(target, current, [edit], defer_tags=True)  # as the server does
        key_times.append(time.perf_counter() - started)
        if i % 10 == 9:  # the tags query the server runs when typing pauses
            started = time.perf_counter()
            index.flush()
            flush_times.append(time.perf_counter() - started)
    map_times: list[float] = []
    map_cpu: list[float] = []  # this thread's CPU time: what the load average does not stretch
    for i in range(maps):
        # a real change of names each time: a new function in the file
        current = current + f"\n\ndef bench_map_{i}(value):\n    return value\n"
        index.update_document(target, current, defer_tags=True)
        started, started_cpu = time.perf_counter(), time.thread_time()
        repo_map.render(request)
        map_times.append(time.perf_counter() - started)
        map_cpu.append(time.thread_time() - started_cpu)
    return {
        "file": target,
        "file_lines": text.count("\n"),
        "first_map": first_map,
        "key_p50": statistics.median(key_times),
        "key_p95": _p95(key_times),
        "tags_p50": statistics.median(flush_times or [0.0]),
        "tags_p95": _p95(flush_times or [0.0]),
        "map_p50": statistics.median(map_times),
        "map_p95": _p95(map_times),
        "map_cpu_p50": statistics.median(map_cpu),
        "map_cpu_p95": _p95(map_cpu),
        "map_times": [round(t, 4) for t in map_times],
        "peak_mb": _peak_mb(),
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, args[0], "--phase", *args[1:]],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"phase {args[1]} failed:\n{done.stderr}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{args[1]}: {result}", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--maps", type=int, default=30)
    parser.add_argument("--target", default=None, help="file to edit (default: ~2,000 lines)")
    parser.add_argument("--phase", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        root = args.root.resolve()
        result = {
            "floor": lambda: phase_floor(root),
            "build": lambda: phase_build(root, Path(rest[0])),
            "live": lambda: phase_live(
                root, Path(rest[0]), args.keystrokes, args.maps, args.target
            ),
        }[name]()
        print(json.dumps(result))
        return
    root = str(args.root.resolve())
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "state.db")
        floor = _child([root, "floor"])
        cold = _child([root, "build", db])
        warm = _child([root, "build", db])
        live = _child(
            [root, "live", db, "--keystrokes", str(args.keystrokes), "--maps", str(args.maps)]
        )
    _report(args.root, floor, cold, warm, live)


def _report(
    root: Path,
    floor: dict[str, Any],
    cold: dict[str, Any],
    warm: dict[str, Any],
    live: dict[str, Any],
) -> None:
    base = floor["seconds"]
    print(
        f"repository: {root} — {floor['files']} files, {floor['tags']} tags, {os.cpu_count()} cores"
    )
    rows = [
        ("parse+query floor (1 process)", base, "1.00"),
        ("cold index (pool, cache empty)", cold["seconds"], f"{cold['seconds'] / base:.2f}"),
        ("warm start (cache full)", warm["seconds"], f"{warm['seconds'] / base:.3f}"),
        ("first map, 1,024 tokens", live["first_map"], f"{live['first_map'] / base:.3f}"),
        ("keystroke update p50", live["key_p50"], ""),
        ("keystroke update p95", live["key_p95"], ""),
        ("buffer tags refresh p95 (on pause)", live["tags_p95"], ""),
        ("fresh map after an edit p50", live["map_p50"], ""),
        ("fresh map after an edit p95", live["map_p95"], ""),
        ("... CPU seconds p50", live["map_cpu_p50"], ""),
        ("... CPU seconds p95", live["map_cpu_p95"], ""),
    ]
    print(f"{'figure':<34} {'seconds':>10} {'x floor':>8}")
    for label, seconds, ratio in rows:
        print(f"{label:<34} {seconds:>10.4f} {ratio:>8}")
    print(
        f"cold: {cold['parsed']} parsed; warm: {warm['parsed']} parsed, "
        f"{warm['from_cache']} from cache"
    )
    print(f"keystrokes on {live['file']} ({live['file_lines']} lines)")
    print(f"fresh maps after an edit (s, in order): {live['map_times']}")
    print(
        f"peak memory (indexing process): cold {cold['peak_mb']:.0f} MB, "
        f"warm {warm['peak_mb']:.0f} MB, live {live['peak_mb']:.0f} MB"
    )
    # Pool workers are separate processes; Linux reports a spawned child's peak as at least its
    # parent's size at fork, so their own peak is not reported.


if __name__ == "__main__":
    main()
