"""`orchard serve`: run the language server over stdio (default) or TCP."""

from __future__ import annotations

import argparse
import sys
from typing import Any


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

    address = None
    if args.tcp:
        try:
            address = parse_address(args.tcp)
        except ValueError as exc:
            print(f"orchard serve: {exc}", file=sys.stderr)
            return 2
    server = create_server()
    if address:
        server.start_tcp(*address)
        return 0
    from orchard.lsp.client_log import route_logs_to_client

    server.client_log = route_logs_to_client(server, log_file=bool(args.log_file))
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the protocol stream
    server.start_io(sys.stdin.buffer, protocol_out)
    return 0
