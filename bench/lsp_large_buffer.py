"""A 5 MB Python buffer open and edited in `orchard serve`: does the rest of the editor wait?

Runs the same scenario twice in one run, with a 5 KB buffer (the baseline) and a 5 MB one,
and prints: latency of requests sent while the buffer opens and is edited (p50/p99), the
cost of a keystroke (the round trip of a request sent right after each edit, p50/p95, and
the server's CPU seconds per keystroke, all threads), and the server's peak memory over
its idle size (once its start-up work has settled).

    python bench/lsp_large_buffer.py [MEGABYTES] [KEYSTROKES]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Queue
from typing import Any

CHUNK = (
    "class Account{n}:\n"
    "    def deposit(self, amount):\n"
    "        self.balance = getattr(self, 'balance', 0) + amount\n"
    "        return self.balance\n\n\n"
)


class Server:
    """`orchard serve` over pipes, with a thread collecting responses by id."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orchard", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        )
        self.answers: dict[Any, Queue[float]] = {}
        self.lock = threading.Lock()
        self.next_id = 100
        threading.Thread(target=self._read, daemon=True).start()
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        self.request("initialize", params)
        self.notify("initialized", {})

    def _read(self) -> None:
        out = self.process.stdout
        assert out is not None
        while True:
            length = 0
            while (line := out.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(out.read(length))
            if "id" in message and "method" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                self._queue(message["id"]).put(time.perf_counter())

    def _queue(self, msg_id: Any) -> Queue[float]:
        with self.lock:
            return self.answers.setdefault(msg_id, Queue())

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        with self.lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any = None) -> float:
        """Send a request and return its round trip in seconds."""
        with self.lock:
            self.next_id += 1
            msg_id = self.next_id
        started = time.perf_counter()
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return self._queue(msg_id).get(timeout=120) - started

    def ping(self) -> float:
        return self.request("workspace/executeCommand", {"command": "orchard.showSettings"})

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory(self, key: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) * 1024
        return 0

    def settled_memory(self, quiet: int = 256 * 1024, limit: float = 30.0) -> int:
        """Return the resident size once two readings a second apart differ by under `quiet`.

        The server keeps importing and indexing for a few seconds after `initialize` (12 MB
        here with no buffer open at all); counting that as the buffer's would be wrong.
        """
        deadline = time.monotonic() + limit
        last = self.memory("VmRSS:")
        while time.monotonic() < deadline:
            time.sleep(1.0)
            self.ping()
            current = self.memory("VmRSS:")
            if abs(current - last) < quiet:
                return current
            last = current
        return last

    def close(self) -> None:
        self.request("shutdown")
        self.notify("exit", None)
        self.process.wait(30)


def scenario(root: Path, size: int, keystrokes: int) -> dict[str, float]:
    text = "".join(CHUNK.format(n=n) for n in range(size // len(CHUNK) + 1))[:size]
    text = text[: text.rfind("\n") + 1]
    (root / "other.py").write_text("def small():\n    return 1\n")
    server = Server(root)
    other = (root / "other.py").as_uri()
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": other, "languageId": "python", "version": 1, "text": "def small():\n    return 1\n"
    }})  # fmt: skip
    for _ in range(20):
        server.ping()
    idle_rss = server.settled_memory()
    big = (root / "big.py").as_uri()
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": big, "languageId": "python", "version": 1, "text": text
    }})  # fmt: skip
    pings = [server.ping() for _ in range(30)]
    line = text.count("\n") // 2
    keys: list[float] = []
    cpu_before = server.cpu_seconds()
    for version in range(2, keystrokes + 2):
        change = {"range": {"start": {"line": line, "character": 0},
                            "end": {"line": line, "character": 0}}, "text": "x"}  # fmt: skip
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": big, "version": version}, "contentChanges": [change]
        })  # fmt: skip
        keys.append(server.ping())
        if version % 10 == 0:
            pings.extend(server.ping() for _ in range(3))
            time.sleep(0.35)  # a pause in typing: debounced work starts
    cpu = server.cpu_seconds() - cpu_before
    pings.extend(server.ping() for _ in range(30))
    peak = server.memory("VmHWM:")
    server.close()
    return {
        "request p50": statistics.median(pings),
        "request p99": statistics.quantiles(pings, n=100)[98],
        "keystroke p50": statistics.median(keys),
        "keystroke p95": statistics.quantiles(keys, n=100)[94],
        "cpu per keystroke": cpu / keystrokes,
        "memory over idle (MB)": (peak - idle_rss) / 1e6,
        "memory over idle / buffer": (peak - idle_rss) / len(text.encode()),
    }


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    keystrokes = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    results = {}
    for label, size in (("5 KB baseline", 5_000), (f"{megabytes:g} MB", int(megabytes * 1e6))):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            subprocess.run(["git", "init", "-q", str(root)], check=True)
            results[label] = scenario(root, size, keystrokes)
    labels = list(results)
    print(f"{'figure':30}" + "".join(f"{label:>16}" for label in labels) + f"{'ratio':>10}")
    for key in results[labels[0]]:
        base, big = (results[label][key] for label in labels)
        ratio = big / base if base else float("nan")
        print(f"{key:30}{base:16.4f}{big:16.4f}{ratio:10.1f}")


if __name__ == "__main__":
    main()
