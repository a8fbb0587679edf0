"""Parallel efficiency of the orchestrator: N agents against a local model server that answers
after a fixed delay, against the ideal (one agent's wall time, measured in the same run).

Efficiency = T(1) / T(N); 1.0 means N agents took no longer than one (target ≥ 0.8 at N = 8:
agents wait on models, not on the CPU). Each agent does the whole loop: snapshot, worktree,
repo map, prompt, streamed reply, apply, lint, commit. Prints figures; never fails on a time.
The model server runs in its own process, as a provider would (`--server-in-process` puts it
in the orchestrator's process, where its threads compete with the agents for the GIL).

    python bench/agents.py [--agents 1,2,4,8,16] [--delay 2.0] [--repeat 1] [--server-in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchard.agents.orchestrator import Orchestrator
from orchard.agents.task import RunState, TaskSpec
from orchard.config import AgentSettings, LintSettings, ModelSettings, Settings
from tests.support.gitrepo import init_repo
from tests.support.model_server import ModelServer, RecordedRequest, Reply, Step

MODEL = "openai/bench"
APP = "def greet(name):\n    return f'hello {name}'\n"
REPLY = (
    "Done.\n\nsrc/app.py\n```python\n<<<<<<< SEARCH\n    return f'hello {name}'\n=======\n"
    "    return f'Hello, {name}!'\n>>>>>>> REPLACE\n```\n"
)


def make_settings(api_base: str, agents: int) -> Settings:
    model = ModelSettings(model=MODEL, api_base=api_base, max_parallel=agents)
    return Settings(
        models=(model,),
        lint=LintSettings(tools={"python": ()}),
        agents=AgentSettings(max_agents=agents, keep_worktrees=64),
    )


def make_repo(root: Path) -> Path:
    files = {f"src/mod{i}.py": f"def f{i}(x):\n    return greet(x) * {i}\n" for i in range(40)}
    repo = init_repo(root, initial={"src/app.py": APP, **files})
    return repo.root


async def one_round(root: Path, api_base: str, agents: int) -> tuple[float, int]:
    orchestrator = await Orchestrator.open(root, make_settings(api_base, agents))
    try:
        spec = TaskSpec("greet politely", models=(MODEL,) * agents, editable=("src/app.py",))
        started = time.perf_counter()
        result = await orchestrator.run_task(spec)
        elapsed = time.perf_counter() - started
    finally:
        orchestrator.close()
    committed = sum(1 for o in result.outcomes if o.state is RunState.COMMITTED)
    return elapsed, committed


def serve_model(delay: float) -> None:
    """Serve the scripted model until stdin closes (the child-process side of the benchmark)."""

    def answer(_request: RecordedRequest) -> Step:
        return Reply(text=REPLY, first_byte_delay=delay)

    with ModelServer() as server:
        server.set_default(answer)
        print(server.api_base, flush=True)
        sys.stdin.read()


def measure(api_base: str, counts: list[int], repeat: int) -> None:
    """Print wall time and efficiency for each agent count."""
    with tempfile.TemporaryDirectory(prefix="orchard-bench-") as tmp:
        root = make_repo(Path(tmp) / "repo")
        asyncio.run(one_round(root, api_base, 1))  # warm-up: litellm import, repo-map index
        print(f"{'agents':>6} {'wall s':>8} {'ideal s':>8} {'efficiency':>10} {'committed':>9}")
        ideal = None
        for count in counts:
            times = []
            committed = 0
            for _ in range(repeat):
                elapsed, committed = asyncio.run(one_round(root, api_base, count))
                times.append(elapsed)
            wall = statistics.median(times)
            if ideal is None:
                ideal = wall if count == 1 else asyncio.run(one_round(root, api_base, 1))[0]
            print(f"{count:>6} {wall:>8.2f} {ideal:>8.2f} {ideal / wall:>10.2f} {committed:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="1,2,4,8,16")
    parser.add_argument("--delay", type=float, default=2.0, help="model reply delay, seconds")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--server-in-process", action="store_true")
    parser.add_argument("--serve-model", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_model:
        serve_model(args.delay)
        return
    counts = [int(n) for n in args.agents.split(",")]
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench")
    where = "in this process" if args.server_in_process else "in its own process"
    print(
        f"model delay {args.delay:.2f} s, server {where}, "
        f"{os.cpu_count()} CPUs, repeat {args.repeat}"
    )
    if args.server_in_process:
        with ModelServer() as server:
            server.set_default(lambda _request: Reply(text=REPLY, first_byte_delay=args.delay))
            measure(server.api_base, counts, args.repeat)
        return
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-model", "--delay", str(args.delay)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        measure(child.stdout.readline().strip(), counts, args.repeat)
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    main()
