"""Time from starting `orchard serve` to its answer to `initialize`, against baselines.

Baselines measured in the same run: a bare interpreter start, and an interpreter that only
imports pygls' server (the floor of any pygls server). Prints medians of N runs each.

    python bench/lsp_startup.py [RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize"}


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def time_command(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=_env())
    return time.perf_counter() - started


def time_initialize(root: Path) -> float:
    params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "orchard", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(frame({**INITIALIZE, "params": params}))
    process.stdin.flush()
    while process.stdout.readline() not in (b"\r\n", b""):
        pass
    elapsed = time.perf_counter() - started
    process.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    process.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    process.stdin.close()
    process.wait(30)
    return elapsed


def _env() -> dict[str, str]:
    return {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / "a.py").write_text("def f():\n    return 1\n")
        bare = [time_command([sys.executable, "-c", "pass"]) for _ in range(runs)]
        floor = [
            time_command([sys.executable, "-c", "import pygls.lsp.server"]) for _ in range(runs)
        ]
        served = [time_initialize(root) for _ in range(runs)]
    base = statistics.median(floor)
    print(f"{'figure':44} {'seconds':>8} {'x floor':>8}")
    for name, values in (
        ("bare interpreter start", bare),
        ("import pygls.lsp.server (floor)", floor),
        ("orchard serve: start to initialize answer", served),
    ):
        median = statistics.median(values)
        print(f"{name:44} {median:8.3f} {median / base:8.2f}")


if __name__ == "__main__":
    main()
