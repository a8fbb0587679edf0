"""Syntax checks of buffers over the size cap, in a worker process that keeps its own copy.

tree-sitter holds the GIL while it parses (2 s for 2 MB here), so a thread would still freeze
the event loop; the worker keeps each large buffer's text and tree (incremental re-parses) and
their memory out of the server. The server sends a buffer's text once, in pieces, then only
the edits made since. One process, started on first use, at a lower priority; state by URI.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from orchard.lsp.documents import DocumentEvent, DocumentEventKind
from orchard.lsp.text_store import Change, TextStore

if TYPE_CHECKING:
    from orchard.lint.syntax import SyntaxDocument

log = logging.getLogger(__name__)

PIECE_CHARS = 1 << 19  # a text goes to the worker in pieces: each costs ~3× its size to send
WORKER_NICENESS = 10  # the worker's parses must not take the CPU the server answers with

_pool: ProcessPoolExecutor | None = None


def _worker() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the server has threads (stdin reader, index worker) at this point
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        _pool.submit(int)  # starts the process now, so that it is lowered before it imports
        for process in getattr(_pool, "_processes", {}).values():  # no public way to reach it
            try:
                os.setpriority(os.PRIO_PROCESS, process.pid, WORKER_NICENESS)
            except OSError as exc:
                log.info("the large-buffer worker keeps its priority: %s", exc)
    return _pool


class LargeBuffers:
    """The server's side of the worker's copies: what each copy still lacks."""

    def __init__(self) -> None:
        self._unsent: dict[str, list[Change]] = {}  # no entry: the worker has no copy
        self._sending: dict[str, asyncio.Task[None]] = {}

    def follow(self, event: DocumentEvent) -> None:
        """Keep the worker's copy of `event.uri` in step with the event (or drop it)."""
        changes = self._unsent.get(event.uri)
        if changes is None:
            return  # no copy: the next check sends the whole text, these edits included
        if (
            event.kind is DocumentEventKind.CHANGED
            and event.large
            and not any(c.whole for c in event.changes)
        ):
            changes.extend(event.changes)
        else:  # closed, shrunk under the cap, reopened or replaced: send it afresh if needed
            self.forget(event.uri)

    async def check(
        self, uri: str, path: Path, store: TextStore, language: str | None, encoding: str
    ) -> types.PublishDiagnosticsParams | None:
        """Bring the worker's copy up to `store` and check it; None if the copy went away."""
        if _pool is None:
            _worker()  # ~10 ms: let the requests that queued meanwhile through before the rest
            await asyncio.sleep(0)
        pool = _worker()
        if uri not in self._unsent:
            self._unsent[uri] = []  # edits from now on; the text as it is now goes in pieces
            self._send_text(pool, uri, store.blocks(), encoding)
        sending = self._sending.get(uri)
        try:
            if sending is not None:
                await asyncio.shield(sending)
            changes = self._unsent.get(uri)
            if changes is None:
                return None
            if changes:
                self._unsent[uri] = []
                pool.submit(_apply, uri, changes)  # never cancelled: the worker must get them
            loop = asyncio.get_running_loop()
            found = await loop.run_in_executor(pool, _check, uri, str(path), language)
        except BrokenProcessPool:
            log.error("the large-buffer worker died; starting another at the next check")
            stop_worker()
            self._unsent.clear()
            return None
        if found is None:
            self._unsent.pop(uri, None)  # the worker lost it: send the text again next time
        return found

    def _send_text(
        self, pool: ProcessPoolExecutor, uri: str, blocks: list[str], encoding: str
    ) -> None:
        # The blocks are shared with the store (an edit replaces one, the rest stay shared),
        # so holding them while the worker starts up costs little.
        async def send() -> None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(pool, _start, uri, encoding)
            while blocks:  # a piece at a time: one small copy
                count, size = 1, len(blocks[0])
                while count < len(blocks) and size + len(blocks[count]) <= PIECE_CHARS:
                    count, size = count + 1, size + len(blocks[count])
                piece = "".join(blocks[:count])
                del blocks[:count]
                await loop.run_in_executor(pool, _append, uri, piece)

        task = asyncio.ensure_future(send())
        self._sending[uri] = task

        def sent(done: asyncio.Task[None]) -> None:
            if self._sending.get(uri) is done:
                del self._sending[uri]
            if not done.cancelled() and done.exception() is not None:
                self._unsent.pop(uri, None)

        task.add_done_callback(sent)

    def forget(self, uri: str) -> None:
        """Drop the worker's copy and tree of `uri`, if it has them."""
        sending = self._sending.pop(uri, None)
        if sending is not None:
            sending.cancel()
        if self._unsent.pop(uri, None) is not None and _pool is not None:
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
    # A piece of text may still sit in the pipe to the worker: exit must not wait to feed it.
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:
        call_queue.cancel_join_thread()


# In the worker process.


@dataclass(slots=True)
class _Copy:
    encoding: str
    pieces: list[str] = field(default_factory=list)
    store: TextStore | None = None
    syntax: SyntaxDocument | None = None

    def text_store(self) -> TextStore:
        if self.store is None:
            self.store = TextStore("".join(self.pieces), self.encoding)
            self.pieces = []
        return self.store


_copies: dict[str, _Copy] = {}


def _start(uri: str, encoding: str) -> None:
    _copies[uri] = _Copy(encoding)


def _append(uri: str, piece: str) -> None:
    if (copy := _copies.get(uri)) is not None:
        copy.pieces.append(piece)


def _apply(uri: str, changes: list[Change]) -> None:
    if (copy := _copies.get(uri)) is None:
        return  # forgotten: the next check finds no copy and the text is sent again
    store = copy.text_store()
    for change in changes:
        store.apply(change)


def _check(uri: str, path: str, language: str | None) -> types.PublishDiagnosticsParams | None:
    from orchard.lint.diagnostic import lines_of
    from orchard.lint.syntax import SyntaxDocument, check_syntax
    from orchard.lsp.convert import lsp_diagnostic

    copy = _copies.get(uri)
    if copy is None:
        return None
    text = copy.text_store().text()
    if copy.syntax is None:
        copy.syntax = SyntaxDocument()
    found = check_syntax(text, language, Path(path), copy.syntax) if language else []
    lines = lines_of(text) if found else []
    return types.PublishDiagnosticsParams(
        uri=uri, diagnostics=[lsp_diagnostic(d, lines, copy.encoding, uri) for d in found]
    )


def _forget(uri: str) -> Any:
    _copies.pop(uri, None)
