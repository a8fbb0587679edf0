"""Thread pools for the blocking work of agents, so it never runs on the event loop: git and file
work in one pool sized to the agents, journal writes in a single thread of their own (in order,
and never queued behind a git command waiting for the repository lock). No logic of its own.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

SPARE_THREADS = 4


class Workers:
    """The orchestrator's two pools; `close()` them when the orchestrator is done."""

    def __init__(self, agents: int) -> None:
        self._files = ThreadPoolExecutor(agents + SPARE_THREADS, thread_name_prefix="orchard-git")
        self._journal = ThreadPoolExecutor(1, thread_name_prefix="orchard-journal")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking git or file work in the worker pool and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._files, functools.partial(fn, *args, **kwargs))

    async def record(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a journal write on the journal's own thread, after every earlier one."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._journal, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Let running work finish and stop the threads."""
        self._files.shutdown(wait=True)
        self._journal.shutdown(wait=True)
