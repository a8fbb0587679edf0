"""`orchard lint`: runs the lint pipeline on files or folders and prints what it found.

One line per problem (`path:line:col severity source [code] message`, 1-based) or JSON;
exits 1 when any error is found, 2 when a path does not exist. All logic lives in `orchard.lint`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from orchard.config import find_repository_root, load_settings
from orchard.lint.diagnostic import Diagnostic
from orchard.lint.pipeline import LintPipeline, LintReport


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `lint` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "lint", help="check files for syntax errors and linter problems"
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    parser.add_argument("--json", action="store_true", help="print the diagnostics as JSON")
    parser.add_argument(
        "--syntax-only", action="store_true", help="run only the syntax layer, no linters"
    )
    parser.add_argument(
        "--root", default=None, help="workspace whose settings apply (default: the git root)"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Lint the paths; print the diagnostics; 1 if any is an error."""
    paths = [Path(name) for name in args.paths]
    absent = [str(path) for path in paths if not path.exists()]
    if absent:
        print(f"orchard lint: no such file or folder: {', '.join(absent)}", file=sys.stderr)
        return 2
    cwd = Path.cwd()
    root = Path(args.root).resolve() if args.root else find_repository_root(cwd) or cwd
    settings = load_settings(root).settings.lint
    pipeline = LintPipeline(settings, root)
    report = asyncio.run(pipeline.run(paths, linters_too=not args.syntax_only))
    if args.json:
        print(json.dumps([_as_json(d, cwd) for d in report.diagnostics], indent=2))
    else:
        for diagnostic in report.diagnostics:
            print(diagnostic.render(relative_to=cwd))
        _summarize(report)
    return 1 if report.errors else 0


def _summarize(report: LintReport) -> None:
    for failure in report.failures:
        print(f"orchard lint: {failure}", file=sys.stderr)
    errors = len(report.errors)
    others = len(report.diagnostics) - errors
    if report.diagnostics:
        print(f"{errors} error(s), {others} other problem(s)", file=sys.stderr)


def _as_json(diagnostic: Diagnostic, cwd: Path) -> dict[str, Any]:
    """One diagnostic as JSON, with 1-based lines and columns like the text output."""
    path = diagnostic.path
    if path.is_absolute() and path.is_relative_to(cwd):
        path = path.relative_to(cwd)
    return {
        "path": str(path),
        "line": diagnostic.line + 1,
        "column": diagnostic.column + 1,
        "end_line": diagnostic.end_line + 1,
        "end_column": diagnostic.end_column + 1,
        "severity": str(diagnostic.severity),
        "source": diagnostic.source,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "url": diagnostic.url,
    }
