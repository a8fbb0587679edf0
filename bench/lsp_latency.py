"""Editor latency while agents work: round trips of a code action, `orchard.showTask`, and
`textDocument/didChange` -> `publishDiagnostics` in the real `orchard serve`, while the client
types 50 didChange a second into another buffer, first with no agent running (the baseline),
then while 8 agents stream slowly from a model server in its own process.

Prints p50/p99 per request and the ratio to the baseline measured in the same run (target p99
<= 50 ms and <= 2x idle). Syntax checks run with `lint.debounce_ms = 0`, so the diagnostics
round trip is the check itself, not the typing pause. Never fails on a time.

Model calls run in the server's model worker process, as under `orchard serve`; pass
`--model-calls thread` for the in-process path (ORCHARD_MODEL_CALLS=thread). The server's pid
goes to stderr, for a profiler (`py-spy record --pid`).

    python bench/lsp_latency.py [--agents 8] [--samples 150] [--model-calls process|thread]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.gitrepo import init_repo
from tests.support.model_server import ModelServer, RecordedRequest, Reply, Step

EDIT = (
    "src/util.py\n```python\n<<<<<<< SEARCH\n    return a + b\n=======\n"
    "    return int(a) + int(b)\n>>>>>>> REPLACE\n```\n"
)
TYPED = "def typed(value):\n    return value\n"


class Server:
    """`orchard serve` over pipes; a reader thread times responses and diagnostics."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orchard", "serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=root,
        )  # fmt: skip
        self.answers: dict[Any, Queue[tuple[float, Any]]] = {}
        self.diagnostics: dict[tuple[str, int | None], Queue[float]] = {}
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.next_id = 100
        threading.Thread(target=self._read, daemon=True).start()
        capabilities = {"window": {"workDoneProgress": True},
                        "workspace": {"applyEdit": True},
                        "textDocument": {"codeAction": {"dataSupport": True}}}  # fmt: skip
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities}
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
            now = time.perf_counter()
            if "id" in message and "method" in message:  # progress create, applyEdit, ...
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                self._queue(self.answers, message["id"]).put((now, message))
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self._queue(self.diagnostics, (params["uri"], params.get("version"))).put(now)

    def _queue(self, table: dict[Any, Queue[Any]], key: Any) -> Queue[Any]:
        with self.lock:
            return table.setdefault(key, Queue())

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        with self.write_lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any = None) -> tuple[float, Any]:
        """Send a request; return its round trip in seconds and the answer."""
        with self.lock:
            self.next_id += 1
            msg_id = self.next_id
        started = time.perf_counter()
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        done, message = self._queue(self.answers, msg_id).get(timeout=300)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return done - started, message.get("result")

    def command(self, name: str, argument: Any) -> Any:
        return self.request("workspace/executeCommand", {"command": name, "arguments": [argument]})

    def change(self, uri: str, version: int, text: str) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]
        })  # fmt: skip

    def diagnostics_after_change(self, uri: str, version: int, text: str) -> float:
        started = time.perf_counter()
        self.change(uri, version, text)
        try:
            return self._queue(self.diagnostics, (uri, version)).get(timeout=30) - started
        except Empty:
            return float("nan")

    def close(self) -> None:
        self.request("shutdown")
        self.notify("exit", None)
        self.process.wait(60)


class Typist(threading.Thread):
    """Sends 50 didChange a second into one buffer until stopped."""

    def __init__(self, server: Server, uri: str) -> None:
        super().__init__(daemon=True)
        self.server, self.uri, self.stop = server, uri, threading.Event()
        self.sent = 0

    def run(self) -> None:
        version, text = 1, TYPED
        while not self.stop.is_set():
            version += 1
            text += "x" if version % 40 else "\n"
            self.server.change(self.uri, version, text)
            self.sent += 1
            self.stop.wait(0.02)


def sample(server: Server, uri: str, task: str, count: int, version: int) -> dict[str, list[float]]:
    """Time `count` rounds of the three round trips."""
    found: dict[str, list[float]] = {"code action": [], "showTask": [], "didChange->diag": []}
    position = {"line": 1, "character": 0}
    action = {"textDocument": {"uri": uri}, "range": {"start": position, "end": position},
              "context": {"diagnostics": []}}  # fmt: skip
    for n in range(count):
        found["code action"].append(server.request("textDocument/codeAction", action)[0])
        found["showTask"].append(server.command("orchard.showTask", {"task": task})[0])
        text = f"def measured_{n}(value):\n    return value\n"
        found["didChange->diag"].append(server.diagnostics_after_change(uri, version + n, text))
        time.sleep(0.02)
    return found


def serve_model(seconds: float) -> None:
    """The model process: `fast` answers at once, `slow` streams for about `seconds`."""

    def answer(request: RecordedRequest) -> Step:
        if request.model == "fast":
            return Reply(text=EDIT)
        chunks = int(seconds / 0.05)
        words = "".join(f"step {n:05d} " for n in range(chunks))  # litellm stops repeated chunks
        return Reply(text=words + EDIT, chunk_chars=12, chunk_delay=0.05)

    with ModelServer() as server:
        server.set_default(answer)
        print(server.api_base, flush=True)
        sys.stdin.read()


def percentile(values: list[float], q: int) -> float:
    clean = sorted(v for v in values if v == v)
    return statistics.quantiles(clean, n=100)[q - 1] if len(clean) > 1 else float("nan")


def run(api_base: str, agents: int, samples: int, model_calls: str) -> None:
    with tempfile.TemporaryDirectory(prefix="orchard-bench-") as tmp:
        root = Path(tmp) / "repo"
        config = (
            f'[[models]]\nmodel = "openai/fast"\napi_base = "{api_base}"\n'
            f'[[models]]\nmodel = "openai/slow"\napi_base = "{api_base}"\nmax_parallel = {agents}\n'
            "[lint]\ndebounce_ms = 0\n[lint.tools]\npython = []\n"
            f'[agents]\nmax_reflections = 0\nsandbox = "off"\n'
        )
        init_repo(root, initial={"src/util.py": "def add(a, b):\n    return a + b\n",
                         ".orchard.toml": config})  # fmt: skip
        env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True",
               "OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY", "sk-bench"),
               "ORCHARD_MODEL_CALLS": model_calls}  # fmt: skip
        server = Server(root, env)
        print(f"orchard serve pid {server.process.pid}", file=sys.stderr, flush=True)
        measured, typed = (
            (root / "src" / "measured.py").as_uri(),
            (root / "src" / "typed.py").as_uri(),
        )
        for uri, text in ((measured, "def measured(value):\n    return value\n"), (typed, TYPED)):
            server.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}})  # fmt: skip
        _, started = server.command(
            "orchard.startTask", {"request": "warm up", "models": ["openai/fast"]}
        )
        task = started["task"]
        while server.command("orchard.showTask", {"task": task})[1]["state"] == "running":
            time.sleep(0.2)
        typist = Typist(server, typed)
        typist.start()
        idle = sample(server, measured, task, samples, 2)
        _, busy_task = server.command("orchard.startTask", {
            "request": "work slowly", "models": ["openai/slow"], "agents": agents})  # fmt: skip
        waited = time.perf_counter()
        while time.perf_counter() - waited < 120:  # sample while they stream, not while they start
            runs = server.command("orchard.showTask", {"task": busy_task["task"]})[1]["runs"]
            if len(runs) == agents and all(r["state"] == "editing" for r in runs):
                break
            time.sleep(0.5)
        setup = time.perf_counter() - waited
        print("busy sampling starts", file=sys.stderr, flush=True)
        busy = sample(server, measured, task, samples, 2 + samples)
        view = server.command("orchard.showTask", {"task": busy_task["task"]})[1]
        typist.stop.set()
        typist.join()
        states = ", ".join(sorted(f"{r['state']}: {r['error'] or ''}"[:60] for r in view["runs"]))
        server.command("orchard.cancelTask", {"task": busy_task["task"]})
        server.close()
    print(
        f"{agents} agents, {setup:.1f} s until all streamed; {typist.sent} didChange typed at"
        f" 50/s; {samples} samples each; model calls in a {model_calls};"
        f" {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(f"agents at the end: {states}")  # fmt: skip
    print(f"{'round trip (ms)':18}{'idle p50':>10}{'idle p99':>10}{'busy p50':>10}"
          f"{'busy p99':>10}{'p99 ratio':>10}")  # fmt: skip
    for name in idle:
        i50, i99 = statistics.median(idle[name]) * 1e3, percentile(idle[name], 99) * 1e3
        b50, b99 = statistics.median(busy[name]) * 1e3, percentile(busy[name], 99) * 1e3
        print(f"{name:18}{i50:10.1f}{i99:10.1f}{b50:10.1f}{b99:10.1f}{b99 / i99:10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--samples", type=int, default=150)
    parser.add_argument("--model-calls", choices=("process", "thread"), default="process")
    parser.add_argument("--serve-model", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_model:
        serve_model(args.serve_model)
        return
    seconds = args.samples * 0.2 + 60  # the slow stream outlasts the busy samples
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-model", str(seconds)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        run(child.stdout.readline().strip(), args.agents, args.samples, args.model_calls)
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    main()
