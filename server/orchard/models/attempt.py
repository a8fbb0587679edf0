"""One attempt at a model call through litellm, with no retries: streamed or plain, bounded by
the call's deadline and reply cap, its HTTP stream closed however it ends. Runs on the model
loop thread (`loop.py`) or in the model worker process (`worker_child.py`); `client.py` retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

from orchard.errors import ReplyDeadlineExceeded, ReplyTooLarge
from orchard.models.bounds import CallBounds
from orchard.models.worker_process import AttemptRequest

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, str], None]
YIELD_EVERY_CHUNKS = 32  # let other agents run even when a stream's chunks arrive back to back

_litellm: Any = None
_import_lock = threading.Lock()


def load_litellm() -> Any:
    """Import litellm once, offline-safe (local cost map) and quiet; return the module."""
    global _litellm
    if _litellm is None:
        with _import_lock:
            if _litellm is None:
                os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
                import litellm

                litellm.suppress_debug_info = True
                _litellm = litellm
    return _litellm


async def load_litellm_async() -> Any:
    """Import litellm in a worker thread, so the first call never stalls the event loop."""
    if _litellm is not None:
        return _litellm
    return await asyncio.to_thread(load_litellm)


async def run_attempt(
    call: AttemptRequest, on_progress: ProgressCallback | None = None
) -> tuple[str, str | None, Any]:
    """Make one attempt of `call` on the running loop; return text, finish reason, raw usage."""
    if call.stream:
        return await _stream(call, on_progress)
    return await _plain(call)


async def _plain(call: AttemptRequest) -> tuple[str, str | None, Any]:
    litellm = load_litellm()
    bounds = call.bounds
    deadline = asyncio.timeout(bounds.deadline_seconds)
    try:
        async with deadline:
            response = await litellm.acompletion(
                model=call.model, messages=list(call.messages), **call.options
            )
    except TimeoutError as exc:
        if deadline.expired():
            raise ReplyDeadlineExceeded(bounds.deadline_message(0)) from exc
        raise
    choice = response.choices[0]
    text = choice.message.content or ""
    if len(text) > bounds.max_reply_chars:
        raise ReplyTooLarge(bounds.size_message(len(text)))
    return text, choice.finish_reason, getattr(response, "usage", None)


async def _stream(
    call: AttemptRequest, on_progress: ProgressCallback | None
) -> tuple[str, str | None, Any]:
    reader = _StreamReader(call.bounds, on_progress)
    deadline = asyncio.timeout(call.bounds.deadline_seconds)
    try:
        async with deadline:
            await reader.read(call.model, call.messages, call.options)
    except TimeoutError as exc:
        if deadline.expired():
            raise ReplyDeadlineExceeded(call.bounds.deadline_message(reader.chars)) from exc
        raise
    return "".join(reader.pieces), reader.finish, reader.raw_usage


def usage_fields(raw: Any) -> dict[str, Any] | None:
    """Copy the usage numbers `ModelClient` reads out of litellm's usage object (picklable)."""
    if not raw:
        return None
    details = field_of(raw, "prompt_tokens_details", None)
    return {
        "prompt_tokens": field_of(raw, "prompt_tokens", 0),
        "completion_tokens": field_of(raw, "completion_tokens", 0),
        "prompt_tokens_details": {"cached_tokens": field_of(details, "cached_tokens", 0)}
        if details
        else None,
        "cache_read_input_tokens": field_of(raw, "cache_read_input_tokens", 0),
    }


class _StreamReader:
    """Reads one streamed reply: pieces kept in a list (never re-joined per chunk), the size cap
    checked on every chunk, and the event loop given back every few chunks."""

    def __init__(self, bounds: CallBounds, on_progress: ProgressCallback | None) -> None:
        self.bounds = bounds
        self.on_progress = on_progress
        self.pieces: list[str] = []
        self.chars = 0
        self.finish: str | None = None
        self.raw_usage: Any = None

    async def read(
        self, model: str, messages: Sequence[Mapping[str, Any]], options: Mapping[str, Any]
    ) -> None:
        litellm = load_litellm()
        response = await litellm.acompletion(
            model=model,
            messages=list(messages),
            stream=True,
            stream_options={"include_usage": True},
            **options,
        )
        count = 0
        async with _closing(response) as chunks:
            async for chunk in chunks:
                self.raw_usage = getattr(chunk, "usage", None) or self.raw_usage
                count += 1
                if count % YIELD_EVERY_CHUNKS == 0:
                    await asyncio.sleep(0)
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                self.finish = choice.finish_reason or self.finish
                piece = getattr(choice.delta, "content", None) or ""
                if piece:
                    self._add(piece)

    def _add(self, piece: str) -> None:
        self.pieces.append(piece)
        self.chars += len(piece)
        if self.chars > self.bounds.max_reply_chars:
            raise ReplyTooLarge(self.bounds.size_message(self.chars))
        if self.on_progress is not None:
            self.on_progress((self.chars + 3) // 4, piece)


@contextlib.asynccontextmanager
async def _closing(stream: Any) -> AsyncIterator[Any]:
    """Close the HTTP stream however the iteration ends (cancellation included)."""
    try:
        yield stream
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            try:
                await close()
            except Exception as exc:  # a failed close must not hide why the stream ended
                log.debug("closing a model stream failed: %s", exc)


def field_of(obj: Any, name: str, default: Any) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)
