"""A byte-level client for `orchard serve`: writes frames exactly as given, reads every answer.

pytest-lsp only sends well-formed frames; the malformed-traffic tests need to send anything.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.lsp import SERVER_COMMAND, server_env

WAIT = 30.0


class RawClient:
    """A running `orchard serve` with a thread that collects its messages."""

    def __init__(self, cwd: Path, env: Mapping[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            SERVER_COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=server_env(**(env or {})),
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr = b""
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr += line

    def _read(self) -> None:
        out = self.process.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line == b"\r\n":
                    break
            self.messages.put(json.loads(out.read(length)))

    def send_bytes(self, data: bytes) -> None:
        """Write `data` to the server's stdin as is."""
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send_body(self, body: bytes, length: int | None = None) -> None:
        """Send `body` in a frame whose Content-Length is `length` (default: the true one)."""
        size = len(body) if length is None else length
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % size + body)

    def send(self, message: dict[str, Any]) -> None:
        """Send a well-formed message."""
        self.send_body(json.dumps(message).encode())

    def request(self, msg_id: int, method: str, params: Any = None) -> None:
        """Send a well-formed request."""
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})

    def answer(self, msg_id: int | str) -> dict[str, Any]:
        """Wait for the response to `msg_id` (answering the server's own requests on the way)."""
        for seen in self.seen:
            if seen.get("id") == msg_id and "method" not in seen:
                return seen
        while True:
            message = self.messages.get(timeout=WAIT)
            self.seen.append(message)
            if "method" in message and "id" in message:  # a request from the server
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif message.get("id") == msg_id and "method" not in message:
                return message

    def initialize(self, root: Path | None) -> None:
        """Do the initialize handshake."""
        params = {"processId": None, "rootUri": root.as_uri() if root else None, "capabilities": {}}
        self.request(1, "initialize", params)
        assert "result" in self.answer(1)
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def show_settings(self, msg_id: int) -> dict[str, Any]:
        """Ask for orchard.showSettings and return the answer."""
        self.request(msg_id, "workspace/executeCommand", {"command": "orchard.showSettings"})
        return self.answer(msg_id)

    def popups(self) -> list[dict[str, Any]]:
        """Every window/showMessage the server sent so far."""
        while not self.messages.empty():
            self.seen.append(self.messages.get())
        return [m for m in self.seen if m.get("method") == "window/showMessage"]

    def wait(self) -> int:
        """Wait for the process to end; return its exit code."""
        code = self.process.wait(timeout=WAIT)
        self._stderr_reader.join(WAIT)  # all of stderr is in self.stderr
        return code

    def close(self) -> None:
        """Stop the server if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)
