"""Syntax checks of buffers over the size cap, in a worker process of their own.

tree-sitter holds the GIL while it parses (2 s for 2 MB here), so a thread would still freeze
the event loop; the worker keeps each large buffer's tree (incremental re-parses) and its
memory out of the server. One process, started on first use; state is keyed by URI.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

if TYPE_CHECKING:
    from orchard.lint.syntax import SyntaxDocument

log = logging.getLogger(__name__)

_pool: ProcessPoolExecutor | None = None
_documents: dict[str, SyntaxDocument] = {}  # in the worker process


def _worker() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the server has threads (stdin reader, index worker) at this point
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def check_large(
    uri: str, path: Path, text: str, language: str | None, encoding: str
) -> types.PublishDiagnosticsParams:
    """Check `text` in the worker and return what to publish for `uri`."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_worker(), _check, uri, str(path), text, language, encoding)


def forget_large(uri: str) -> None:
    """Drop the worker's tree of a closed (or shrunk) buffer, if a worker exists."""
    if _pool is not None:
        _pool.submit(_forget, uri)


def stop_worker() -> None:
    """End the worker now, dropping queued checks (exit must not wait for a 5 MB parse)."""
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to reach them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(2)
        if process.is_alive():
            process.kill()
    # A 5 MB text may still sit in the pipe to the worker: exit must not wait to feed it.
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:
        call_queue.cancel_join_thread()


def _check(
    uri: str, path: str, text: str, language: str | None, encoding: str
) -> types.PublishDiagnosticsParams:
    from orchard.lint.diagnostic import lines_of
    from orchard.lint.syntax import SyntaxDocument, check_syntax
    from orchard.lsp.convert import lsp_diagnostic

    document = _documents.setdefault(uri, SyntaxDocument())
    found = check_syntax(text, language, Path(path), document) if language else []
    lines = lines_of(text) if found else []
    return types.PublishDiagnosticsParams(
        uri=uri, diagnostics=[lsp_diagnostic(d, lines, encoding, uri) for d in found]
    )


def _forget(uri: str) -> Any:
    _documents.pop(uri, None)
