"""`orchard serve --tcp HOST:PORT` answers the same protocol over a socket."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

from tests.support.lsp import server_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_message(conn: socket.socket) -> dict:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(4096)
    header, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in header.split(b"\r\n") if line.startswith(b"Content")
        and b"Length" in line
    )  # fmt: skip
    while len(rest) < length:
        rest += conn.recv(4096)
    return json.loads(rest[:length])


def test_tcp_server_answers_initialize() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchard", "serve", "--tcp", f"127.0.0.1:{port}"],
        env=server_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "server never listened"
                time.sleep(0.1)
        body = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"processId": None, "rootUri": None, "capabilities": {}}}
        ).encode()  # fmt: skip
        conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        answer = read_message(conn)
        assert answer["id"] == 1
        assert answer["result"]["serverInfo"]["name"] == "orchard"
        conn.close()
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.stdout is not None and proc.stdout.read() == b""
