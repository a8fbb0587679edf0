"""`orchard memory search QUERY | index | stats | forget (--file PATH | --task ID | --all)`:
the repository's memory (code chunks and past tasks in the state database). Parses flags,
calls the service's memory, prints; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from orchard.config import find_repository_root
from orchard.errors import OrchardError
from orchard.service import OrchardService


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `memory` subcommand with its actions."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "memory", help="search, index, count or forget the repository's memory"
    )
    parser.add_argument("--root", default=None, help="repository (default: the one around .)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    search = actions.add_parser("search", help="find code chunks and past tasks")
    search.add_argument("query", nargs="+", help="what to look for")
    search.add_argument("--limit", type=int, default=None, help="most results (default: 10)")
    search.add_argument("--json", action="store_true", help="print JSON")
    index = actions.add_parser("index", help="chunk changed files and embed new chunks")
    index.add_argument("--json", action="store_true", help="print JSON")
    stats = actions.add_parser("stats", help="count files, chunks, vectors and tasks")
    stats.add_argument("--json", action="store_true", help="print JSON")
    forget = actions.add_parser("forget", help="remove a file's, a task's or all memory")
    which = forget.add_mutually_exclusive_group(required=True)
    which.add_argument("--file", default=None, help="repository-relative path")
    which.add_argument("--task", default=None, help="task id")
    which.add_argument("--all", action="store_true", help="everything memory holds")
    return parser


def run(args: argparse.Namespace) -> int:
    """Carry out the action; exit 0, 1 when Orchard refuses, 2 on misuse."""
    start = Path(args.root) if args.root else Path.cwd()
    root = find_repository_root(start)
    if root is None:
        print(f"orchard memory: {start} is not inside a git repository", file=sys.stderr)
        return 2
    if getattr(args, "limit", None) is not None and args.limit < 1:
        print("orchard memory search: --limit must be at least 1", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_act(root, args))
    except OrchardError as exc:
        print(f"orchard memory: {exc}", file=sys.stderr)
        return 1


async def _act(root: Path, args: argparse.Namespace) -> int:
    service = await OrchardService.open(root)
    try:
        memory = service.memory
        if args.action == "search":
            hits = await service.search_memory(" ".join(args.query), args.limit)
            if not hits and (await memory.stats())["chunks"] == 0:
                print("memory holds no code yet: run `orchard memory index`", file=sys.stderr)
            return _print_hits([hit.to_json() for hit in hits], args.json)
        if args.action == "index":
            report = await memory.index(_progress)
            return _print_mapping(report.to_json(), args.json, _index_summary)
        if args.action == "stats":
            return _print_mapping(await memory.stats(), args.json, _stats_summary)
        removed = await memory.forget(
            file=_relative(root, args.file) if args.file else None,
            task=args.task,
            everything=args.all,
        )
        print(f"forgot {json.dumps(removed)}")
        return 0
    finally:
        await service.close()


def _relative(root: Path, path: str) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise OrchardError(f"{path} is outside the repository {root}") from None
    return candidate.as_posix()


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r{stage}: {done}/{total}", end="\n" if done >= total else "", file=sys.stderr)


def _print_hits(hits: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        print(json.dumps(hits, indent=2))
        return 0
    if not hits:
        print("no memory matches")
        return 0
    for hit in hits:
        if hit["kind"] == "chunk":
            where = f"{hit['path']}:{hit['startLine'] + 1}-{hit['endLine'] + 1}"
            print(f"{hit['score']:.4f}  {where}  {hit['name'] or '(lines)'}")
        else:
            files = ", ".join(hit["files"]) or "no files"
            request = " ".join(hit["request"].split())[:70]
            print(f"{hit['score']:.4f}  task {hit['task']}  {request}  [{files}]")
    return 0


def _print_mapping(data: dict[str, Any], as_json: bool, summary: Any) -> int:
    print(json.dumps(data, indent=2) if as_json else summary(data))
    return 0


def _index_summary(data: dict[str, Any]) -> str:
    return (
        f"{data['files']} files, {len(data['rechunked'])} re-chunked ({data['chunks']} chunks),"
        f" {len(data['removed'])} removed; {data['embedded']} embedded,"
        f" {data['fromCache']} from cache in {data['seconds']} s"
    )


def _stats_summary(data: dict[str, Any]) -> str:
    spaces = ", ".join(f"{s['name']} ({s['vectors']} vectors)" for s in data["spaces"]) or "none"
    return (
        f"{data['files']} files ({data['unsaved_files']} unsaved), {data['chunks']} chunks,"
        f" {data['tasks']} tasks, {data['history_rows']} file changes remembered\n"
        f"embedder: {data['embedder']}; spaces: {spaces}\n"
        f"database: {data['database']} ({data['bytes']} bytes)"
    )
