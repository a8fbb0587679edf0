"""Parallel efficiency of the orchestrator: N agents against a local model server that answers
after a fixed delay, against the ideal (one agent's wall time, measured in the same run).

Efficiency = T(1) / T(N); 1.0 means N agents took no longer than one (target ≥ 0.8 at N = 8:
agents wait on models, not on the CPU). Each agent does the whole loop: snapshot, worktree,
repo map, prompt, streamed reply, apply, lint, commit. Prints figures; never fails on a time.

    python bench/agents.py [--agents 1,2,4,8,16] [--delay 2.0] [--repeat 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
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


def make_settings(server: ModelServer, agents: int) -> Settings:
    model = ModelSettings(model=MODEL, api_base=server.api_base, max_parallel=agents)
    return Settings(
        models=(model,),
        lint=LintSettings(tools={"python": ()}),
        agents=AgentSettings(max_agents=agents, keep_worktrees=64),
    )


def make_repo(root: Path) -> Path:
    files = {f"src/mod{i}.py": f"def f{i}(x):\n    return greet(x) * {i}\n" for i in range(40)}
    repo = init_repo(root, initial={"src/app.py": APP, **files})
    return repo.root


async def one_round(root: Path, server: ModelServer, agents: int) -> tuple[float, int]:
    orchestrator = Orchestrator(root, make_settings(server, agents))
    try:
        spec = TaskSpec("greet politely", models=(MODEL,) * agents, editable=("src/app.py",))
        started = time.perf_counter()
        result = await orchestrator.run_task(spec)
        elapsed = time.perf_counter() - started
    finally:
        orchestrator.close()
    committed = sum(1 for o in result.outcomes if o.state is RunState.COMMITTED)
    return elapsed, committed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="1,2,4,8,16")
    parser.add_argument("--delay", type=float, default=2.0, help="model reply delay, seconds")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    counts = [int(n) for n in args.agents.split(",")]
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench")

    def answer(_request: RecordedRequest) -> Step:
        return Reply(text=REPLY, first_byte_delay=args.delay)

    with ModelServer() as server, tempfile.TemporaryDirectory(prefix="orchard-bench-") as tmp:
        server.set_default(answer)
        root = make_repo(Path(tmp) / "repo")
        asyncio.run(one_round(root, server, 1))  # warm-up: litellm import, repo-map index
        print(f"model delay {args.delay:.2f} s, {os.cpu_count()} CPUs, repeat {args.repeat}")
        print(f"{'agents':>6} {'wall s':>8} {'ideal s':>8} {'efficiency':>10} {'committed':>9}")
        ideal = None
        for count in counts:
            times = []
            committed = 0
            for _ in range(args.repeat):
                elapsed, committed = asyncio.run(one_round(root, server, count))
                times.append(elapsed)
            wall = statistics.median(times)
            if ideal is None:
                ideal = wall if count == 1 else asyncio.run(one_round(root, server, 1))[0]
            print(f"{count:>6} {wall:>8.2f} {ideal:>8.2f} {ideal / wall:>10.2f} {committed:>9}")


if __name__ == "__main__":
    main()
