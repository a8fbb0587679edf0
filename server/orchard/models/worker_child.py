"""The model worker process itself (`python -m orchard.models.worker_child`): reads calls from
stdin, runs each attempt on its own event loop through `attempt.py`, and writes text deltas and
outcomes (failures classified here, where the provider's exception is) to stdout.

Ends when stdin closes (the server has gone). Writes nothing but frames to stdout.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from typing import IO, Any

from orchard.models.worker_process import AttemptRequest, read_frame, write_frame


def main() -> None:
    """Serve calls until stdin closes."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the frames
    asyncio.run(serve(sys.stdin.buffer, out))


async def serve(source: IO[bytes], out: IO[bytes]) -> None:
    """Run the calls read from `source`, answering on `out`, until `source` ends."""
    from orchard.models.attempt import load_litellm

    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Any] = asyncio.Queue()

    def pump() -> None:
        while True:
            message = read_frame(source)
            loop.call_soon_threadsafe(inbox.put_nowait, message)
            if message is None:
                return

    threading.Thread(target=pump, name="model worker stdin", daemon=True).start()
    await asyncio.to_thread(load_litellm)
    calls: dict[int, asyncio.Task[None]] = {}

    def send(message: tuple[str, int, Any]) -> None:
        write_frame(out, message)

    while (message := await inbox.get()) is not None:
        kind, call_id, request = message
        if kind == "call":
            task = asyncio.create_task(_run(call_id, request, send))
            calls[call_id] = task
            task.add_done_callback(_forget(calls, call_id))
        elif kind == "cancel" and call_id in calls:
            calls[call_id].cancel()
    for task in list(calls.values()):
        task.cancel()
    await asyncio.gather(*calls.values(), return_exceptions=True)


def _forget(calls: dict[int, asyncio.Task[None]], call_id: int) -> Any:
    return lambda _done: calls.pop(call_id, None)


async def _run(call_id: int, request: AttemptRequest, send: Any) -> None:
    from orchard.models.attempt import run_attempt, usage_fields
    from orchard.models.retry import classify, failure_from_attributes

    try:
        text, finish, usage = await run_attempt(
            request, lambda _tokens, piece: send(("delta", call_id, piece))
        )
    except asyncio.CancelledError:
        return  # the server has forgotten this call; its HTTP stream is closed
    except Exception as exc:  # every provider error is classified and sent back
        send(("failed", call_id, classify(exc, *failure_from_attributes(exc))))
        return
    send(("done", call_id, (text, finish, usage_fields(usage))))


if __name__ == "__main__":
    main()
