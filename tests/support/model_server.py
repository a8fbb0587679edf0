"""A local OpenAI-compatible model server for tests: real HTTP on 127.0.0.1, scripted replies.

It owns chat completions (plain and SSE streaming), embeddings, the model list, scripted
faults (429, 500, slow, dropped connections) and a record of every request. It must never
reach the network, and it never decides anything about Orchard itself.

Typical use (through the `model_server` fixture)::

    model_server.script("gpt-test", fault_429(retry_after=1), reply("done"))
    litellm.completion(model="openai/gpt-test", api_base=model_server.api_base, ...)
    assert model_server.requests[-1].messages[-1]["content"] == "hi"
"""

from __future__ import annotations

import base64
import json
import select
import socket
import struct
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.model_replies import (
    DEFAULT_MODEL,
    EMBEDDING_DIMENSIONS,
    Drop,
    Fault,
    RecordedRequest,
    Reply,
    Responder,
    Scripted,
    Step,
    count_words,
    drip,
    drop_connection,
    embed_text,
    fault_400,
    fault_401,
    fault_429,
    fault_500,
    fault_503,
    fault_context_window,
    reply,
    slow,
    stream_then_drop,
)

__all__ = [
    "DEFAULT_MODEL",
    "EMBEDDING_DIMENSIONS",
    "Drop",
    "Fault",
    "ModelServer",
    "RecordedRequest",
    "Reply",
    "Responder",
    "Scripted",
    "Step",
    "count_words",
    "drip",
    "drop_connection",
    "embed_text",
    "fault_400",
    "fault_401",
    "fault_429",
    "fault_500",
    "fault_503",
    "fault_context_window",
    "reply",
    "slow",
    "stream_then_drop",
]


class ClientGone(Exception):
    """The client closed its connection while the server was still answering."""


# ----------------------------------------------------------------------------- the server


@dataclass
class _State:
    scripts: dict[str, deque[Scripted]] = field(default_factory=lambda: defaultdict(deque))
    defaults: dict[str, Scripted] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    peak_in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class ModelServer:
    """An OpenAI-compatible server on a random free port, run in a background thread."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._state = _State()
        self.stopping = threading.Event()
        self._httpd = _HTTPServer((host, 0), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> ModelServer:
        """Start serving in a daemon thread; return self."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake every handler that is waiting, and close the socket."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def api_base(self) -> str:
        """Base URL to hand to litellm as `api_base`."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting

    def script(self, model: str, *steps: Scripted) -> None:
        """Queue answers for `model` (a name like `gpt-test` or `openai/gpt-test`), in order."""
        with self._lock:
            self._state.scripts[_bare(model)].extend(steps)

    def set_default(self, step: Scripted, model: str | None = None) -> None:
        """Answer with `step` whenever nothing is queued (for `model`, or for every model)."""
        with self._lock:
            self._state.defaults[_bare(model) if model else "*"] = step

    def pending(self, model: str) -> int:
        """Return how many scripted answers for `model` are still queued."""
        with self._lock:
            return len(self._state.scripts[_bare(model)])

    # -- records

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._state.requests)

    def requests_for(self, model: str) -> list[RecordedRequest]:
        """The requests that named `model`."""
        return [r for r in self.requests if r.model == _bare(model)]

    def peak_in_flight(self, model: str) -> int:
        """The most requests for `model` the server was answering at the same time."""
        with self._lock:
            return self._state.peak_in_flight[_bare(model)]

    def disconnects(self) -> list[RecordedRequest]:
        """Requests whose client hung up before the answer was complete."""
        return [r for r in self.requests if r.outcome == "client-closed"]

    def wait_for(self, predicate: Callable[[ModelServer], bool], timeout: float = 5.0) -> bool:
        """Block until `predicate(self)` holds (re-checked on every request event)."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._changed:
                self._changed.wait(min(remaining, 0.05))
        return True

    def wait_for_disconnect(self, timeout: float = 5.0) -> bool:
        """Block until some client hangs up mid-answer; True if one did."""
        return self.wait_for(lambda s: bool(s.disconnects()), timeout)

    # -- used by the handler

    def _record(self, request: RecordedRequest) -> None:
        with self._changed:
            self._state.requests.append(request)
            model = request.model
            self._state.in_flight[model] += 1
            peak = max(self._state.peak_in_flight[model], self._state.in_flight[model])
            self._state.peak_in_flight[model] = peak
            self._changed.notify_all()

    def _finish(self, request: RecordedRequest, outcome: str) -> None:
        with self._changed:
            request.outcome = outcome
            self._state.in_flight[request.model] -= 1
            self._changed.notify_all()

    def _next_step(self, request: RecordedRequest) -> Step:
        with self._lock:
            queue = self._state.scripts[request.model]
            if queue:
                scripted = queue.popleft()
            else:
                scripted = self._state.defaults.get(
                    request.model, self._state.defaults.get("*", Reply())
                )
        if callable(scripted) and not isinstance(scripted, Reply | Fault | Drop):
            scripted = scripted(request)
        return Reply(text=scripted) if isinstance(scripted, str) else scripted


def _bare(model: str) -> str:
    return model.removeprefix("openai/")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: ModelServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read records, not logs."""

    # -- routing

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            with self.server.owner._lock:
                names = {DEFAULT_MODEL, *self.server.owner._state.scripts}
            data = [
                {"id": n, "object": "model", "owned_by": "orchard-tests"} for n in sorted(names)
            ]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_json(404, _error_body("not found", "invalid_request_error", None))

    def do_POST(self) -> None:
        route = self.path.split("?")[0].rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, _error_body("body is not JSON", "invalid_request_error", None))
            return
        if route not in (
            "/v1/chat/completions",
            "/chat/completions",
            "/v1/embeddings",
            "/embeddings",
        ):
            self._send_json(404, _error_body(f"no route {route}", "invalid_request_error", None))
            return
        owner = self.server.owner
        request = RecordedRequest(
            "POST", route, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
        )
        owner._record(request)
        outcome = "answered"
        try:
            step = owner._next_step(request)
            outcome = self._answer(route, request, step)
        except ClientGone:
            outcome = "client-closed"
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            outcome = "client-closed"
            self.close_connection = True
        finally:
            owner._finish(request, outcome)

    def _answer(self, route: str, request: RecordedRequest, step: Step) -> str:
        if isinstance(step, Drop):
            self._wait(step.delay)
            self._drop()
            return "dropped"
        if isinstance(step, Fault):
            self._wait(step.delay)
            body = _error_body(step.message, step.error_type, step.code)
            self._send_json(step.status, body, step.headers)
            return f"fault-{step.status}"
        self._wait(step.first_byte_delay)
        if route.endswith("embeddings"):
            self._send_json(200, _embeddings_body(request))
            return "answered"
        if request.stream:
            return self._stream(request, step)
        self._send_json(200, _completion_body(request, step))
        return "answered"

    # -- answers

    def _stream(self, request: RecordedRequest, step: Reply) -> str:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index, event in enumerate(_stream_events(request, step)):
            if step.drop_after_chunks is not None and index >= step.drop_after_chunks:
                self._drop()
                return "dropped-mid-stream"
            if index and step.chunk_delay:
                self._wait(step.chunk_delay)
            self._write_chunk(f"data: {event}\n\n".encode())
        self._write_chunk(b"")
        return "answered"

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _send_json(
        self, status: int, body: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def _wait(self, seconds: float) -> None:
        """Sleep, but notice at once if the client hangs up or the server stops."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.server.owner.stopping.is_set():
                raise ClientGone("server stopping")
            readable, _, _ = select.select([self.connection], [], [], min(remaining, 0.05))
            if readable and self._client_closed():
                raise ClientGone("client closed the connection")

    def _client_closed(self) -> bool:
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True


def _error_body(message: str, error_type: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def _usage(request: RecordedRequest, step: Reply) -> dict[str, Any]:
    prompt = step.prompt_tokens
    if prompt is None:
        prompt = count_words(request.prompt_text) + 3 * len(request.messages)
    completion = step.completion_tokens
    if completion is None:
        completion = count_words(step.text)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": step.cached_tokens},
    }


def _completion_body(request: RecordedRequest, step: Reply) -> dict[str, Any]:
    message = {"role": "assistant", "content": step.text}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [{"index": 0, "message": message, "finish_reason": step.finish_reason}],
        "usage": _usage(request, step),
    }


def _stream_events(request: RecordedRequest, step: Reply) -> Iterator[str]:
    ident = f"chatcmpl-{uuid.uuid4().hex[:12]}"
    base = {"id": ident, "object": "chat.completion.chunk", "created": int(time.time())}
    base["model"] = request.model
    size = max(1, step.chunk_chars)
    pieces = [step.text[i : i + size] for i in range(0, len(step.text), size)] or [""]
    for index, piece in enumerate(pieces):
        delta = {"role": "assistant", "content": piece} if index == 0 else {"content": piece}
        choice = {"index": 0, "delta": delta, "finish_reason": None}
        yield json.dumps({**base, "choices": [choice]})
    final = {"index": 0, "delta": {}, "finish_reason": step.finish_reason}
    yield json.dumps({**base, "choices": [final]})
    options = request.body.get("stream_options") or {}
    if options.get("include_usage"):
        yield json.dumps({**base, "choices": [], "usage": _usage(request, step)})
    yield "[DONE]"


def _encode(vector: list[float], as_base64: bool) -> list[float] | str:
    if not as_base64:
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def _embeddings_body(request: RecordedRequest) -> dict[str, Any]:
    raw = request.body.get("input", "")
    texts = [raw] if isinstance(raw, str) else [str(t) for t in raw]
    dimensions = int(request.body.get("dimensions") or EMBEDDING_DIMENSIONS)
    as_base64 = request.body.get("encoding_format") == "base64"
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": _encode(embed_text(t, dimensions), as_base64),
        }
        for i, t in enumerate(texts)
    ]
    tokens = sum(count_words(t) for t in texts)
    return {
        "object": "list",
        "data": data,
        "model": request.model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
