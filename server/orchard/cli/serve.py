"""`orchard serve`: run the language server over stdio (default) or TCP."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from typing import Any

EXIT_GRACE_SECONDS = 10.0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `serve` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the language server (stdio by default)"
    )
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio, e.g. 127.0.0.1:2087"
    )
    parser.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    parser.add_argument("--log-file", metavar="PATH", help="write logs here instead of stderr")
    return parser


def parse_address(text: str) -> tuple[str, int]:
    """Split HOST:PORT, raising ValueError with a clear message when it is not that."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--tcp expects HOST:PORT (e.g. 127.0.0.1:2087), got {text!r}")
    return host, int(port)


def run(args: argparse.Namespace) -> int:
    """Serve until the client says exit."""
    from orchard.lsp.server import create_server
    from orchard.models.worker_process import use_worker_process

    address = None
    if args.tcp:
        try:
            address = parse_address(args.tcp)
        except ValueError as exc:
            print(f"orchard serve: {exc}", file=sys.stderr)
            return 2
    # Model calls run in a worker process, off the interpreter that answers the editor;
    # ORCHARD_MODEL_CALLS=thread keeps them on a thread here (one-shot CLI commands always do).
    # Set only once the server really starts: a refused command line changes nothing.
    use_worker_process(os.environ.get("ORCHARD_MODEL_CALLS", "process") != "thread")
    server = create_server()
    if address:
        server.start_tcp(*address)
        return 0
    from orchard.lsp.client_log import route_logs_to_client

    server.client_log = route_logs_to_client(server, log_file=bool(args.log_file))
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the protocol stream
    code = 0
    try:
        server.start_io(sys.stdin.buffer, protocol_out)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    exit_even_if_stuck(code)
    return code


def exit_even_if_stuck(code: int, grace: float = EXIT_GRACE_SECONDS) -> None:
    """End the process `grace` seconds from now if a worker thread still holds it open.

    The editor has gone; a thread blocked in a git, model or SQLite call must not keep an
    orphaned server alive (interpreter exit waits for every worker thread).
    """

    def force() -> None:
        logging.getLogger(__name__).error("worker threads did not end: exiting anyway")
        logging.shutdown()
        os._exit(code)

    timer = threading.Timer(grace, force)
    timer.daemon = True
    timer.start()
