"""The stdio message loop: frames from `framing`, bodies to `OrchardProtocol`, nothing else.

Replaces pygls' loop, which trusted every Content-Length, never resynced and reported bad
traffic as popups. Returns an exit code: 0 after shutdown+exit, 1 when the stream ended early.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, BinaryIO

from pygls.io_ import StdoutWriter

from orchard.lsp.framing import FrameReader, stdin_chunks
from orchard.lsp.protocol import OrchardProtocol

if TYPE_CHECKING:
    from orchard.lsp.server import OrchardServer

log = logging.getLogger(__name__)

WIND_DOWN_SECONDS = 5.0  # how long background work may take to end once the client has gone


async def serve_frames(
    reader: FrameReader, protocol: OrchardProtocol, stop: threading.Event
) -> None:
    """Hand every frame to the protocol until the stream ends or `stop` is set."""
    async for frame in reader.frames():
        if frame.body is None:
            protocol.answer_error(frame.head, -32600, frame.problem)
        else:
            _receive(protocol, frame.body)
        if stop.is_set():
            return
        await asyncio.sleep(0)  # let the handlers this frame started run before the next


def _receive(protocol: OrchardProtocol, body: bytearray) -> None:
    try:
        protocol.receive_body(body)  # empties `body` once decoded
    except Exception:
        log.exception("a message could not be handled")


def serve_stdio(server: OrchardServer, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve the protocol on stdin/stdout until exit; return the process's exit code."""
    protocol = server.protocol
    assert isinstance(protocol, OrchardProtocol)
    stop = threading.Event()
    server._stop_event = stop
    protocol.set_writer(StdoutWriter(stdout))
    reader = FrameReader(stdin_chunks(stdin))

    async def main() -> None:
        if server.client_log is not None:
            server.client_log.loop = asyncio.get_running_loop()
        await serve_frames(reader, protocol, stop)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(main())
    except BrokenPipeError:
        log.error("the client closed the connection")
        return 1
    finally:
        try:
            loop.run_until_complete(end_background_tasks(WIND_DOWN_SECONDS))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()  # idle worker threads end; a stuck one is the caller's to outlive
            server.shutdown()
    if reader.incomplete:
        log.error("the input ended inside a message")
    if protocol._shutdown and not reader.incomplete:
        return 0
    log.error("the client went away without shutdown/exit")
    return 1


async def end_background_tasks(timeout: float) -> list[asyncio.Task[object]]:
    """Cancel every other task and wait up to `timeout` for them; log and return stragglers.

    `asyncio.run` would wait for ever on a task that ignores its cancellation, leaving a server
    alive after its editor quit; here such a task is named in the log and left behind.
    """
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in tasks:
        task.cancel()
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        log.error("background work did not end when cancelled: %r", task)
    return list(pending)
