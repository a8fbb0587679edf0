"""What the local model server can be told to answer, and what it records of each request.

Scripted steps (replies, faults, drops) and their builders, the request record, and the
server's deterministic token count and embeddings. Pure data: no sockets, no threads.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_MODEL = "gpt-test"
DEFAULT_TEXT = "OK"
EMBEDDING_DIMENSIONS = 64


# ----------------------------------------------------------------------------- scripted steps


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful answer; timings and usage can be scripted."""

    text: str = DEFAULT_TEXT
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int = 0
    finish_reason: str = "stop"
    chunk_chars: int = 8
    first_byte_delay: float = 0.0
    chunk_delay: float = 0.0
    drop_after_chunks: int | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    """An HTTP error answer in OpenAI's error shape."""

    status: int
    message: str
    error_type: str
    code: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Drop:
    """Close the socket without sending any response."""

    delay: float = 0.0


Step = Reply | Fault | Drop
Responder = Callable[["RecordedRequest"], Step | str]
Scripted = Step | Responder | str


def reply(text: str = DEFAULT_TEXT, **options: Any) -> Reply:
    """Answer with `text` (options: prompt_tokens, completion_tokens, cached_tokens, ...)."""
    return Reply(text=text, **options)


def slow(seconds: float, step: Reply | str = DEFAULT_TEXT, chunk_delay: float = 0.0) -> Reply:
    """Answer after `seconds` of silence (and `chunk_delay` between streamed chunks)."""
    base = step if isinstance(step, Reply) else Reply(text=step)
    return Reply(
        **{
            **_fields(base),
            "first_byte_delay": seconds,
            "chunk_delay": chunk_delay or base.chunk_delay,
        }
    )


def drip(text: str = "still thinking " * 40, every: float = 1.0, chunk_chars: int = 1) -> Reply:
    """Stream `text` `chunk_chars` characters at a time, one chunk every `every` seconds: a
    stream that stays alive but crawls (each chunk arrives well within any read timeout)."""
    return Reply(text=text, chunk_chars=chunk_chars, chunk_delay=every)


def stream_then_drop(text: str = "partial answer that never ends", after_chunks: int = 2) -> Reply:
    """Stream `after_chunks` chunks of `text`, then close the socket mid-stream."""
    return Reply(text=text, drop_after_chunks=after_chunks)


def fault_429(retry_after: float | None = 1, message: str = "Rate limit reached") -> Fault:
    """Answer 429 with a `Retry-After` header (seconds) unless `retry_after` is None."""
    headers = () if retry_after is None else (("Retry-After", _number(retry_after)),)
    return Fault(429, message, "rate_limit_error", "rate_limit_exceeded", headers)


def fault_500(message: str = "The server had an error while processing your request") -> Fault:
    """Answer 500 Internal Server Error."""
    return Fault(500, message, "server_error", None)


def fault_503(message: str = "The engine is currently overloaded") -> Fault:
    """Answer 503 Service Unavailable."""
    return Fault(503, message, "server_error", None)


def fault_401(message: str = "Incorrect API key provided") -> Fault:
    """Answer 401 Unauthorized (never worth retrying)."""
    return Fault(401, message, "invalid_request_error", "invalid_api_key")


def fault_400(message: str = "Invalid request") -> Fault:
    """Answer 400 Bad Request (never worth retrying)."""
    return Fault(400, message, "invalid_request_error", None)


def fault_context_window(message: str = "This model's maximum context length is 8192") -> Fault:
    """Answer 400 with OpenAI's context-length code."""
    return Fault(400, message, "invalid_request_error", "context_length_exceeded")


def drop_connection(delay: float = 0.0) -> Drop:
    """Close the socket (after `delay`) without sending a byte."""
    return Drop(delay)


def _fields(value: Reply) -> dict[str, Any]:
    return {name: getattr(value, name) for name in Reply.__slots__}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ----------------------------------------------------------------------------- records


@dataclass(slots=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float
    outcome: str = "pending"

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def prompt_text(self) -> str:
        """All message text joined, for responders that answer by the prompt."""
        return "\n".join(_content_text(m.get("content")) for m in self.messages)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def count_words(text: str) -> int:
    """The server's own token count: whitespace-separated words (deterministic, documented)."""
    return len(text.split())


def embed_text(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """Return the deterministic unit vector the server gives `text`."""
    raw: list[float] = []
    counter = 0
    while len(raw) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        raw.extend((byte - 127.5) / 127.5 for byte in digest)
        counter += 1
    vector = raw[:dimensions]
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]
