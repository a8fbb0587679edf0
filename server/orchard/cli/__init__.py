"""The `orchard` command: parses arguments and hands each subcommand to its own module.

Each subcommand lives in `orchard/cli/<name>.py` with `add_parser(subparsers)` and
`run(args) -> int`; add its name to SUBCOMMANDS. No logic the LSP path needs lives here.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from orchard import __version__

SUBCOMMANDS: tuple[str, ...] = ("serve", "doctor", "apply", "lint", "map", "run", "tasks")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="orchard",
        description="Parallel LLM coding agents in git worktrees, as a language server.",
    )
    parser.add_argument("--version", action="version", version=f"orchard {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv: debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"orchard.cli.{name}")
        sub = module.add_parser(subparsers)
        sub.set_defaults(run=module.run)
    return parser


def configure_logging(verbosity: int, log_file: str | None = None) -> None:
    """Send logs to stderr (or a file), never stdout: under `serve`, stdout is the protocol."""
    level = logging.WARNING - 10 * min(verbosity, 2)
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `orchard` command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    configure_logging(args.verbose, getattr(args, "log_file", None))
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
