"""Event-loop lag while the service opens and starts agents: the longest time the loop could not
run a 1 ms ticker, against the same ticker on an idle loop in the same run.

The front doors share one loop with the language server's requests, so `OrchardService.open()`
and `start_task()` must keep their blocking work (git, SQLite, the repo map, litellm's import)
on worker threads. Target: no gap above ~20 ms while 4 agents start. The model server runs in
its own process (bench/agents.py's), answering after a delay so the agents are all in flight.
Prints figures; never fails on a time.

    python bench/service_loop.py [--agents 4] [--delay 1.0] [--files 400]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchard.agents.task import RunState
from orchard.config import AgentSettings, LintSettings, ModelSettings, Settings
from orchard.service import OrchardService, TaskRequest
from tests.support.gitrepo import init_repo

MODEL = "openai/bench"
AGENTS_BENCH = Path(__file__).with_name("agents.py")


class LagProbe:
    """A ticker that sleeps 1 ms at a time and records how late each wake-up was."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lags.append(time.perf_counter() - before - 0.001)

    def __enter__(self) -> LagProbe:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    def summary(self) -> tuple[float, float, float]:
        """Return (p50, p99, max) lag in milliseconds."""
        ordered = sorted(self.lags) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return statistics.median(ordered) * 1e3, p99 * 1e3, ordered[-1] * 1e3


def make_repo(root: Path, files: int) -> Path:
    sources = {
        f"src/pkg{i % 20}/mod{i}.py": f"def f{i}(x):\n    return g{(i + 1) % files}(x) * {i}\n"
        for i in range(files)
    }
    sources["src/app.py"] = "def greet(name):\n    return f'hello {name}'\n"  # the reply edits it
    return init_repo(root, initial=sources).root


def settings_for(api_base: str, agents: int) -> Settings:
    model = ModelSettings(model=MODEL, api_base=api_base, max_parallel=agents)
    return Settings(
        models=(model,),
        lint=LintSettings(tools={"python": ()}),
        agents=AgentSettings(max_agents=agents, keep_worktrees=64),
    )


async def measured(work: Callable[[], Awaitable[object]]) -> tuple[float, float, float, float]:
    """Run `work` under the probe; return its wall seconds and the lag summary."""
    with LagProbe() as probe:
        started = time.perf_counter()
        await work()
        elapsed = time.perf_counter() - started
    return (elapsed, *probe.summary())


async def start_agents(root: Path, api_base: str, agents: int) -> None:
    service = await OrchardService.open(root, settings_for(api_base, agents))
    try:
        request = TaskRequest("greet politely", agents=agents)
        result = await service.wait(await service.start_task(request))
        committed = sum(1 for o in result.outcomes if o.state is RunState.COMMITTED)
        print(f"  ({committed}/{agents} agents committed)")
    finally:
        await service.close()


async def run(root: Path, api_base: str, agents: int, delay: float, debug: bool) -> None:
    if debug:  # name each callback that holds the loop over 20 ms (asyncio logs them)
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        loop = asyncio.get_running_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = 0.02
    idle = await measured(lambda: asyncio.sleep(max(delay, 1.0)))
    await start_agents(root, api_base, 1)  # warm: litellm imported, tags cached, as in a server
    opening = await measured(lambda: OrchardService.open(root, settings_for(api_base, agents)))
    busy = await measured(lambda: start_agents(root, api_base, agents))
    print(f"{'phase':<34} {'wall s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'max/idle':>8}")
    for name, (wall, p50, p99, worst) in (
        ("idle loop (baseline)", idle),
        ("OrchardService.open()", opening),
        (f"open + start {agents} agents + wait", busy),
    ):
        ratio = worst / max(idle[3], 1e-3)
        print(f"{name:<34} {wall:>7.2f} {p50:>7.2f} {p99:>7.2f} {worst:>7.2f} {ratio:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--delay", type=float, default=1.0, help="model reply delay, seconds")
    parser.add_argument("--files", type=int, default=400, help="files in the scratch repository")
    parser.add_argument("--debug", action="store_true", help="log callbacks that block > 20 ms")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench")
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    child = subprocess.Popen(
        [sys.executable, str(AGENTS_BENCH), "--serve-model", "--delay", str(args.delay)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        api_base = child.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="orchard-bench-") as tmp:
            root = make_repo(Path(tmp) / "repo", args.files)
            print(f"{os.cpu_count()} CPUs, {args.files} files, model delay {args.delay:.1f} s")
            asyncio.run(run(root, api_base, args.agents, args.delay, args.debug))
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    main()
