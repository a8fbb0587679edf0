"""A local stand-in for a forge's REST API (GitHub's pulls endpoint, GitLab's merge requests) on
127.0.0.1: real HTTP in a thread, scripted answers, and a record of every request (method, path,
headers, JSON body) for tests to check. Never reaches the network; decides nothing for Orchard.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class ForgeRequest:
    """One request the stand-in received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ForgeServer:
    """Answers with the scripted (status, JSON) pairs in order, then with `default`."""

    default: tuple[int, Any] = (201, None)
    requests: list[ForgeRequest] = field(default_factory=list)
    _script: deque[tuple[int, Any]] = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Return the API base, e.g. `http://127.0.0.1:PORT/api/v3`."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/v3"

    def script(self, *answers: tuple[int, Any]) -> None:
        """Answer the next requests with these (status, JSON body) pairs."""
        self._script.extend(answers)

    def answer(self, request: ForgeRequest) -> tuple[int, Any]:
        self.requests.append(request)
        if self._script:
            return self._script.popleft()
        status, body = self.default
        return status, body if body is not None else self.created(request)

    @staticmethod
    def created(request: ForgeRequest) -> dict[str, Any]:
        """The answer of a forge that opened what was asked (GitHub and GitLab fields)."""
        body = request.body if isinstance(request.body, dict) else {}
        return {
            "number": 7,
            "iid": 7,
            "html_url": "https://github.example/acme/widgets/pull/7",
            "web_url": "https://gitlab.example/acme/widgets/-/merge_requests/7",
            "draft": bool(body.get("draft", False)),
        }

    def __enter__(self) -> ForgeServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # git's smart HTTP asks here first
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = ForgeRequest(self.command, self.path, headers, body)
                status, answer = owner.answer(request)
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="forge"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
