"""`orchard review [--base REF | --branch NAME] [--format text|json|sarif]`: the reviewer model
reads the working tree's changes against a base (default HEAD: staged, unstaged and untracked
files, read without touching the index) or a branch's changes against its merge base.
Exit 1 when a finding is an error, 2 on misuse or without `reviewer_model`. The service reviews.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from orchard.config import find_repository_root
from orchard.errors import OrchardError, SettingsError, WorkspaceError
from orchard.review.report import ReviewReport
from orchard.service import OrchardService

FORMATS = ("text", "json", "sarif")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `review` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "review", help="review the working tree's changes (or a branch) with the reviewer model"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--base", default=None, metavar="REF", help="base to diff against (HEAD)")
    which.add_argument("--branch", default=None, metavar="NAME", help="review a branch instead")
    parser.add_argument("--format", choices=FORMATS, default="text", help="default text")
    parser.add_argument("--root", default=None, help="repository (default: the one around .)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Review and print; exit 0 without error findings, 1 with some, 2 on misuse."""
    start = Path(args.root) if args.root else Path.cwd()
    root = find_repository_root(start)
    if root is None:
        print(f"orchard review: {start} is not inside a git repository", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(_review(root, args.base or "HEAD", args.branch))
    except (SettingsError, WorkspaceError) as exc:  # no reviewer_model, a bad ref
        print(f"orchard review: {exc}", file=sys.stderr)
        return 2
    except OrchardError as exc:  # the reviewer model failed
        print(f"orchard review: {exc}", file=sys.stderr)
        return 1
    print(_render(report, args.format, root))
    return 1 if report.has_errors else 0


async def _review(root: Path, base: str, branch: str | None) -> ReviewReport:
    service = await OrchardService.open(root)
    try:
        return await service.review(base, branch)
    finally:
        await service.close()


def _render(report: ReviewReport, fmt: str, root: Path) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2)
    if fmt == "sarif":
        from orchard.review.sarif import to_sarif

        return json.dumps(to_sarif(report, root), indent=2)
    return report.render_text()
