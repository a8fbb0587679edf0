"""The `orchard` command: parses arguments and hands each subcommand to its own module.

Each subcommand lives in `orchard/cli/<name>.py` with `add_parser(subparsers)` and
`run(args) -> int`; add it to SUBCOMMANDS with its one-line help. Only the chosen subcommand's
module is imported, so `orchard --version` or `orchard serve` never pays for the others.
No logic the LSP path needs lives here.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from orchard import __version__

SUBCOMMANDS: dict[str, str] = {
    "serve": "run the language server (stdio by default)",
    "run": "run coding agents on a request, each on its own branch and worktree",
    "tasks": "list, show, resume, discard or clean up agent tasks",
    "review": "review the working tree's changes (or a branch) with the reviewer model",
    "map": "print the ranked repository map within a token budget",
    "memory": "search, index, count or forget the repository's memory",
    "apply": "apply a model reply's edits to a folder",
    "lint": "check files for syntax errors and linter problems",
    "doctor": "check that git, SQLite, tree-sitter, litellm and model keys are ready",
}


def chosen_subcommand(argv: Sequence[str]) -> str | None:
    """Return the subcommand named in `argv` (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in SUBCOMMANDS else None
    return None


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """Build the parser; only `chosen` gets its full arguments (and its module imported)."""
    parser = argparse.ArgumentParser(
        prog="orchard",
        description="Parallel LLM coding agents in git worktrees, as a language server.",
    )
    parser.add_argument("--version", action="version", version=f"orchard {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv: debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in SUBCOMMANDS.items():
        if name != chosen:
            subparsers.add_parser(name, help=summary)
            continue
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
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")  # no git: doctor says so, not a crash
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(chosen_subcommand(words))
    args = parser.parse_args(words)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    configure_logging(args.verbose, getattr(args, "log_file", None))
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
