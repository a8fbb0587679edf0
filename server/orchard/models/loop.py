"""litellm's own event loop: every model call made in process (the one-shot CLI; `orchard serve`
uses the worker process of `worker_process.py`) runs there, on a daemon thread, so litellm's
per-chunk parsing, logging and cost bookkeeping never hold the caller's loop for longer than the
interpreter's switch interval. Cancelling the caller cancels the
call there (its HTTP stream closes); callbacks hop back to the caller's loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def model_loop() -> asyncio.AbstractEventLoop:
    """Return the process's model loop, starting its thread on first use."""
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="orchard-models", daemon=True)
            thread.start()
            _loop = loop
        return _loop


async def on_model_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro` on the model loop; cancelling the caller cancels it there."""
    loop = model_loop()
    if asyncio.get_running_loop() is loop:
        return await coro
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))


def on_caller_loop(callback: Callable[..., None] | None) -> Callable[..., None] | None:
    """Wrap `callback` so that calls made on the model loop run on the caller's loop."""
    if callback is None:
        return None
    caller = asyncio.get_running_loop()

    def hop(*args: Any) -> None:
        if caller.is_closed():
            return
        if asyncio.get_running_loop() is caller:
            callback(*args)
        else:
            caller.call_soon_threadsafe(callback, *args)

    return hop
