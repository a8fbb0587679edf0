"""`orchard map`: prints the repository map for a focus, mentions and a token budget.

Text by default, or JSON (files in rank order as shown, with scores, plus the text). A progress
bar goes to stderr when it is a terminal. Parses and prints; the service renders.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from orchard.config import find_repository_root, load_settings
from orchard.repomap import MapRequest, RenderedMap
from orchard.repomap.live import LiveRepoMap
from orchard.service import OrchardService


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `map` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "map", help="print the ranked repository map within a token budget"
    )
    parser.add_argument("--root", default=None, help="work tree to map (default: the git root)")
    parser.add_argument(
        "--focus", nargs="+", default=[], metavar="FILE", help="files already in context"
    )
    parser.add_argument(
        "--mention", nargs="+", default=[], metavar="IDENT", help="identifiers the task names"
    )
    parser.add_argument("--task", default="", help="task text; files and names in it count")
    parser.add_argument("--tokens", type=int, default=None, help="token budget of the map")
    parser.add_argument("--json", action="store_true", help="print files, scores and text as JSON")
    parser.add_argument("--no-cache", action="store_true", help="ignore the shared tags cache")
    return parser


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\rindexing [{bar}] {done}/{total} files")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Build (or warm-start) the index and print the map."""
    cwd = Path.cwd()
    root = Path(args.root).resolve() if args.root else find_repository_root(cwd) or cwd
    if not root.is_dir():
        print(f"orchard map: no such folder: {root}", file=sys.stderr)
        return 2
    request = MapRequest(
        focus_files=tuple(str((cwd / name).resolve()) for name in args.focus),
        mentioned_identifiers=tuple(args.mention),
        task_text=args.task,
        tokens=args.tokens,
    )
    rendered = asyncio.run(_render(root, request, use_cache=not args.no_cache))
    if args.json:
        payload = {
            "root": str(root),
            "budget": rendered.budget,
            "tokens": rendered.tokens,
            "files": [{"path": path, "score": score} for path, score in rendered.files],
            "text": rendered.text,
        }
        print(json.dumps(payload, indent=2))
    else:
        sys.stdout.write(rendered.text)
    return 0


async def _render(root: Path, request: MapRequest, *, use_cache: bool) -> RenderedMap:
    settings = load_settings(root).settings
    live = LiveRepoMap(root, settings.repomap, use_cache=use_cache)
    service = await OrchardService.open(root, settings, live_map=live, tasks=False)
    try:
        await live.get(progress=ProgressBar())
        return await service.render_map(request)
    finally:
        await service.close()
