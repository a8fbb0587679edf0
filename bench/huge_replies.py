"""Runaway replies beside a normal agent: one task with one normal agent and two agents whose
model streams a reply of many megabytes (issue 11 item 4), against the normal agent alone,
measured in the same run. Prints wall times, their ratio and peak memory; never fails on a time.

The model server runs in its own process, as a provider would. Run it against another checkout's
code with `PYTHONPATH=/path/to/other/server python bench/huge_replies.py` to compare.

    python bench/huge_replies.py [--mb 10] [--chunk 8] [--huge-agents 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
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
from tests.support.model_server import ModelServer, Reply

NORMAL = "openai/normal"
APP = "def greet(name):\n    return f'hello {name}'\n"
REPLY = (
    "Done.\n\nsrc/app.py\n```python\n<<<<<<< SEARCH\n    return f'hello {name}'\n=======\n"
    "    return f'Hello, {name}!'\n>>>>>>> REPLACE\n```\n"
)


def huge_models(count: int) -> tuple[str, ...]:
    return tuple(f"openai/huge{i}" for i in range(count))


def make_settings(api_base: str, models: tuple[str, ...]) -> Settings:
    entries = tuple(ModelSettings(model=m, api_base=api_base) for m in (NORMAL, *models))
    return Settings(
        models=entries,
        lint=LintSettings(tools={"python": ()}),
        agents=AgentSettings(max_agents=len(entries), keep_worktrees=64),
    )


async def one_task(root: Path, api_base: str, huge: tuple[str, ...]) -> tuple[float, float, str]:
    """Run one task; return its wall time, the normal agent's time, and the huge agents' ends."""
    orchestrator = await Orchestrator.open(root, make_settings(api_base, huge))
    try:
        spec = TaskSpec("greet politely", models=(NORMAL, *huge), editable=("src/app.py",))
        started = time.perf_counter()
        result = await orchestrator.run_task(spec)
        wall = time.perf_counter() - started
    finally:
        orchestrator.close()
    normal = next(o for o in result.outcomes if o.model == NORMAL)
    assert normal.state is RunState.COMMITTED, normal.error
    ends = "; ".join(
        f"{o.state}: {(o.error or '')[:90]}" for o in result.outcomes if o.model != NORMAL
    )
    return wall, normal.seconds, ends


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve_model(megabytes: float, chunk: int) -> None:
    """Serve the normal and the runaway models until stdin closes (the child process)."""
    text = "endless prose " * int(megabytes * 1024 * 1024 / 14)
    with ModelServer() as server:
        server.set_default(Reply(text=REPLY), model=NORMAL)
        for i in range(16):
            server.set_default(Reply(text=text, chunk_chars=chunk), model=f"openai/huge{i}")
        print(server.api_base, flush=True)
        sys.stdin.read()


def measure(api_base: str, huge_count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="orchard-bench-") as tmp:
        root = init_repo(Path(tmp) / "repo", initial={"src/app.py": APP}).root
        asyncio.run(one_task(root, api_base, ()))  # warm-up: litellm import, repo-map index
        alone_wall, alone_normal, _ = asyncio.run(one_task(root, api_base, ()))
        base_peak = peak_mb()
        wall, normal, ends = asyncio.run(one_task(root, api_base, huge_models(huge_count)))
        print(f"{'':<34} {'alone':>8} {'beside':>8} {'ratio':>7}")
        rows = [
            ("normal agent (s)", alone_normal, normal),
            ("whole task (s)", alone_wall, wall),
            ("peak memory of orchard (MB)", base_peak, peak_mb()),
        ]
        for name, alone, beside in rows:
            print(f"{name:<34} {alone:>8.2f} {beside:>8.2f} {beside / alone:>7.2f}")
        print(f"runaway agents ended: {ends}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of each runaway reply")
    parser.add_argument("--chunk", type=int, default=8, help="characters per streamed chunk")
    parser.add_argument("--huge-agents", type=int, default=2)
    parser.add_argument("--serve-model", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_model:
        serve_model(args.mb, args.chunk)
        return
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench")
    import orchard

    print(
        f"orchard from {Path(orchard.__file__).parent}; {args.huge_agents} replies of"
        f" {args.mb:g} MB in {args.chunk}-character chunks; {os.cpu_count()} CPUs"
    )
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-model", "--mb", str(args.mb),
         "--chunk", str(args.chunk)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        measure(child.stdout.readline().strip(), args.huge_agents)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


if __name__ == "__main__":
    main()
