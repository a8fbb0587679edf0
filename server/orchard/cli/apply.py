"""`orchard apply`: apply a model reply (editblock, udiff or whole files) to a folder.

Exit 0 when every edit applied (or the reply held none), 1 when any edit failed (the others
stay applied), 2 on usage errors. Printing only; parsing and applying live in `orchard.edits`.
In a git work tree, a path whose folder the model dropped is looked up among tracked files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from orchard.config import load_settings
from orchard.edits import FORMAT_NAMES, ApplyResult, apply_edits, parse_edits
from orchard.errors import OrchardError

USAGE_ERROR = 2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `apply` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "apply",
        help="apply a model reply's edits to a folder",
        description="Apply the edits in a model reply (SEARCH/REPLACE blocks, unified diffs or "
        "whole files) to the files under --root. Exit 0: all applied; 1: some failed; 2: usage.",
    )
    parser.add_argument("reply", metavar="REPLY_FILE|-", help="the reply to apply; - for stdin")
    parser.add_argument(
        "--format", choices=FORMAT_NAMES, default="auto", help="edit format (default: auto)"
    )
    parser.add_argument("--root", default=".", help="folder the paths are relative to (default: .)")
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would apply; write nothing"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--fuzzy-threshold",
        type=float,
        default=None,
        help="least similarity for a fuzzy match, 0-1 (default: edits.fuzzy_threshold setting)",
    )
    return parser


def _read_reply(source: str) -> str:
    """Read the reply's bytes; undecodable bytes become lone surrogates, which the edits refuse
    with a message (never a crash, never a silent replacement character in a file)."""
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    return data.decode("utf-8", errors="surrogateescape")


def _tracked(root: Path) -> list[str] | None:
    """The files git tracks under `root`, relative to it (None outside a git work tree)."""
    from orchard.vcs.queries import tracked_files

    return tracked_files(root)


def _print_text(result: ApplyResult) -> None:
    for done in result.applied:
        lines = f", lines {done.start_line}-{done.end_line}" if done.start_line else ""
        moved = f"; the reply said `{done.requested}`" if done.requested else ""
        print(f"applied  {done.path}  edit #{done.index + 1} ({done.strategy}{lines}{moved})")
    for failure in result.failed:
        print(f"FAILED   {failure.path or '?'}  edit #{failure.index + 1} ({failure.reason})")
        print("  " + failure.message.replace("\n", "\n  "))
    for note in result.notes:
        print("NOTE     " + note)
    for gutted in result.large_deletions:
        print(f"WARNING  {gutted.describe()}: most of the file was deleted")
    summary = f"{len(result.applied)} applied, {len(result.failed)} failed"
    if result.dry_run:
        summary += " (dry run: nothing written)"
    elif result.written:
        summary += f"; wrote {', '.join(result.written)}"
    print(summary)


def run(args: argparse.Namespace) -> int:
    """Apply the reply and report; return the exit status."""
    root = Path(args.root)
    if not root.is_dir():
        print(f"orchard apply: --root {args.root} is not a folder", file=sys.stderr)
        return USAGE_ERROR
    threshold = args.fuzzy_threshold
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        print("orchard apply: --fuzzy-threshold must be between 0 and 1", file=sys.stderr)
        return USAGE_ERROR
    try:
        reply = _read_reply(args.reply)
    except OSError as exc:
        print(f"orchard apply: cannot read {args.reply}: {exc.strerror or exc}", file=sys.stderr)
        return USAGE_ERROR
    if threshold is None:
        threshold = load_settings(root).settings.edits.fuzzy_threshold
    try:
        edits = parse_edits(reply, args.format)
        result = apply_edits(
            edits, root, dry_run=args.dry_run, fuzzy_threshold=threshold, tracked=_tracked(root)
        )
    except OrchardError as exc:
        print(f"orchard apply: {exc}", file=sys.stderr)
        return USAGE_ERROR
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        _print_text(result)
    return 0 if result.ok else 1
