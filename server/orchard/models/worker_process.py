"""The model worker process, seen from the server: one child process per event loop, started on
the first call, runs every attempt (litellm's HTTP streams, chunk parsing, bookkeeping) so that
none of it holds this interpreter's GIL; text deltas and the outcome come back over a pipe.

Cancelling a call sends a cancel message (the child closes that HTTP stream); a child that dies
fails its running calls with `ModelWorkerDied` and is started again for the next call. Must not
import litellm: only `worker_child.py`, on the other side of the pipe, does.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import pickle
import struct
import sys
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from orchard.errors import ModelError
from orchard.models.bounds import CallBounds
from orchard.models.retry import Failure

log = logging.getLogger(__name__)

HEADER = struct.Struct(">I")
CHILD_MODULE = "orchard.models.worker_child"
STOP_GRACE_SECONDS = 2.0

_default = False


def use_worker_process(enabled: bool) -> None:
    """Say whether ModelClients that were not told otherwise call models in the worker process."""
    global _default
    _default = enabled


def worker_default() -> bool:
    """Return whether model calls go to the worker process unless a client says otherwise."""
    return _default


@dataclass(frozen=True, slots=True)
class AttemptRequest:
    """One attempt at a model call, as sent to wherever it runs (picklable)."""

    model: str
    messages: Sequence[Mapping[str, Any]]
    options: Mapping[str, Any]
    bounds: CallBounds
    stream: bool = True


class WorkerCallFailed(ModelError):
    """A call failed in the worker process; `failure` is its classification made there."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.detail or failure.text)
        self.failure = failure


class ModelWorkerDied(ModelError):
    """The model worker process ended while calls were running (killed or crashed)."""


def write_frame(out: IO[bytes], message: object) -> None:
    """Write one length-prefixed pickled message to a blocking pipe and flush it."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(body)) + body)
    out.flush()


def read_frame(source: IO[bytes]) -> Any:
    """Read one message from a blocking pipe; None at its end."""
    header = source.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (length,) = HEADER.unpack(header)
    body = source.read(length)
    return pickle.loads(body) if len(body) == length else None


Progress = Callable[[int, str], None]
Outcome = tuple[str, str | None, Any]


@dataclass(slots=True)
class _Call:
    future: asyncio.Future[Outcome]
    on_progress: Progress | None
    chars: int = 0


@dataclass(slots=True)
class ModelWorker:
    """The worker process of one event loop and the calls running in it."""

    process: asyncio.subprocess.Process | None = None
    calls: dict[int, _Call] = field(default_factory=dict)
    next_id: int = 0
    starting: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def pid(self) -> int | None:
        """The process id of the running child, if there is one."""
        alive = self.process is not None and self.process.returncode is None
        return self.process.pid if alive and self.process is not None else None

    async def call(self, request: AttemptRequest, on_progress: Progress | None) -> Outcome:
        """Run one attempt in the child; return text, finish reason and usage numbers."""
        process = await self._running()
        self.next_id += 1
        call_id = self.next_id
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.calls[call_id] = _Call(future, on_progress)
        try:
            self._send(process, ("call", call_id, request))
            return await future
        except asyncio.CancelledError:
            if self.calls.pop(call_id, None) is not None:
                with contextlib.suppress(ModelWorkerDied, OSError):  # a dead child holds no stream
                    self._send(process, ("cancel", call_id, None))
            raise
        finally:
            self.calls.pop(call_id, None)

    async def close(self) -> None:
        """End the child: close its input (it stops), kill it if it lingers."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()

    def kill(self) -> None:
        """Kill the child at once (interpreter exit)."""
        if self.process is not None and self.process.returncode is None:
            try:
                self.process.kill()
            except (ProcessLookupError, RuntimeError):  # gone, or its loop closed already
                pass

    async def _running(self) -> asyncio.subprocess.Process:
        async with self.starting:
            if self.process is None or self.process.returncode is not None:
                self.process = await _start_child()
                reader = asyncio.create_task(self._read(self.process), name="model worker pipe")
                _readers.add(reader)
                reader.add_done_callback(_readers.discard)
            return self.process

    def _send(self, process: asyncio.subprocess.Process, message: object) -> None:
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        if process.stdin is None or process.stdin.is_closing():
            raise ModelWorkerDied("the model worker process is not running")
        process.stdin.write(HEADER.pack(len(body)) + body)

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                (length,) = HEADER.unpack(await process.stdout.readexactly(HEADER.size))
                self._dispatch(pickle.loads(await process.stdout.readexactly(length)))
        except asyncio.IncompleteReadError:
            pass
        except Exception:  # a garbled pipe: no later message can be trusted
            log.exception("the model worker's pipe broke; killing the worker")
            process.kill()
        code = await process.wait()
        if self.process is process:
            self.process = None
        how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
        for call_id in list(self.calls):
            call = self.calls.pop(call_id)
            if not call.future.done():
                call.future.set_exception(
                    ModelWorkerDied(
                        f"the model worker process {how} during the call"
                        " (it is started again for the next call)"
                    )
                )

    def _dispatch(self, message: tuple[str, int, Any]) -> None:
        kind, call_id, payload = message
        call = self.calls.get(call_id)
        if call is None or call.future.done():
            return  # cancelled meanwhile
        if kind == "delta":
            call.chars += len(payload)
            if call.on_progress is not None:
                call.on_progress((call.chars + 3) // 4, payload)
        elif kind == "done":
            call.future.set_result(payload)
        elif kind == "failed":
            call.future.set_exception(WorkerCallFailed(payload))


async def _start_child() -> asyncio.subprocess.Process:
    env = {**os.environ}
    env.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        CHILD_MODULE,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    log.info("model worker process %d started", process.pid)
    return process


_workers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ModelWorker] = (
    weakref.WeakKeyDictionary()
)
_readers: set[asyncio.Task[None]] = set()


def model_worker() -> ModelWorker:
    """Return the running loop's model worker (its process starts on the first call)."""
    loop = asyncio.get_running_loop()
    worker = _workers.get(loop)
    if worker is None:
        worker = _workers[loop] = ModelWorker()
    return worker


@atexit.register
def _kill_workers() -> None:
    for worker in list(_workers.values()):
        worker.kill()
