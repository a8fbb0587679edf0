"""The model worker process itself (`python -m orchard.models.worker_child`): reads calls from
stdin, runs each attempt on its own event loop through `attempt.py`, and writes text deltas and
outcomes (failures classified here, where the provider's exception is) to stdout.

Ends when stdin closes (the server has gone). Writes nothing but frames to stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from orchard.models.worker_process import AttemptRequest, read_frame, write_frame

Send = Callable[[tuple[str, int, Any]], None]
# Progress bars report at most every 0.1 s and taskChanged every 0.25 s: finer deltas would only
# cost the server's loop a wake-up each.
DELTA_INTERVAL = 0.1
# Streams are throughput work; the server answers an editor. When the CPUs are contended the
# scheduler should run the server first (a lower priority, not a starved one).
NICENESS = 5


def main() -> None:
    """Serve calls until stdin closes."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    with contextlib.suppress(OSError):  # not allowed here: the same priority, still correct
        os.nice(NICENESS)
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


async def _run(call_id: int, request: AttemptRequest, send: Send) -> None:
    from orchard.models.attempt import run_attempt, usage_fields
    from orchard.models.retry import classify, failure_from_attributes

    deltas = _Deltas(call_id, send)
    try:
        text, finish, usage = await run_attempt(request, deltas.add)
    except asyncio.CancelledError:
        deltas.drop()
        return  # the server has forgotten this call; its HTTP stream is closed
    except Exception as exc:  # every provider error is classified and sent back
        deltas.flush()
        send(("failed", call_id, classify(exc, *failure_from_attributes(exc))))
        return
    deltas.flush()
    send(("done", call_id, (text, finish, usage_fields(usage))))


class _Deltas:
    """One call's streamed text, sent on at once after a quiet spell, else at most every
    DELTA_INTERVAL: each frame wakes the server's event loop, however few characters it holds."""

    def __init__(self, call_id: int, send: Send) -> None:
        self.call_id, self.send = call_id, send
        self.pieces: list[str] = []
        self.timer: asyncio.TimerHandle | None = None
        self.last_sent = 0.0

    def add(self, _tokens: int, piece: str) -> None:
        self.pieces.append(piece)
        if self.timer is not None:
            return
        loop = asyncio.get_running_loop()
        wait = self.last_sent + DELTA_INTERVAL - loop.time()
        if wait <= 0:
            self.flush()
        else:
            self.timer = loop.call_later(wait, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.pieces:
            self.send(("delta", self.call_id, "".join(self.pieces)))
            self.pieces.clear()
            self.last_sent = asyncio.get_running_loop().time()

    def drop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.pieces.clear()


if __name__ == "__main__":
    main()
