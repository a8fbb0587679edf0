"""Work-done progress in the client (`window/workDoneProgress`): begun, reported, ended, and a
client's cancel that reaches the operation (the asyncio task doing the work is cancelled).
Clients that cannot show progress get none, silently.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.progress import Progress

log = logging.getLogger(__name__)


class ProgressHost(Protocol):
    """What progress needs of the server."""

    @property
    def client_capabilities(self) -> types.ClientCapabilities: ...

    @property
    def work_done_progress(self) -> Progress: ...


class WorkProgress:
    """One progress bar in the client, for one operation."""

    def __init__(self, progress: Progress, token: str) -> None:
        self._progress = progress
        self.token = token
        self._last: int | None = None
        self.ended = False

    @classmethod
    async def begin(
        cls,
        host: ProgressHost,
        title: str,
        *,
        message: str | None = None,
        cancels: asyncio.Future[Any] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> WorkProgress | None:
        """Create and begin a progress; the client's cancel cancels `cancels` or calls
        `on_cancel` (neither: not cancellable)."""
        if not get_capability(host.client_capabilities, "window.work_done_progress", False):
            return None
        token = f"orchard-{uuid.uuid4()}"
        progress = host.work_done_progress
        try:
            await progress.create_async(token)
        except Exception as exc:  # the client refused the token: work goes on without a bar
            log.info("no progress for %r: %s", title, exc)
            return None
        begin = types.WorkDoneProgressBegin(
            title=title,
            message=message,
            percentage=0,
            cancellable=cancels is not None or on_cancel is not None,
        )
        progress.begin(token, begin)
        if cancels is not None:
            future = progress.tokens.get(token)  # pygls cancels it on the client's cancel
            if future is not None:
                loop = asyncio.get_running_loop()
                future.add_done_callback(lambda done: _cancel_on(done, cancels, loop))
        if on_cancel is not None:
            future = progress.tokens.get(token)
            if future is not None:
                loop = asyncio.get_running_loop()
                future.add_done_callback(lambda done: _call_on(done, on_cancel, loop))
        return cls(progress, token)

    def report(self, message: str, percentage: int | None = None) -> None:
        """Show `message` (and `percentage`, never going backwards) in the bar."""
        if self.ended:
            return
        if percentage is not None:
            percentage = max(0, min(100, percentage))
            if self._last is not None and percentage < self._last:
                percentage = self._last
            self._last = percentage
        value = types.WorkDoneProgressReport(message=message, percentage=percentage)
        self._progress.report(self.token, value)

    def end(self, message: str) -> None:
        """End the bar with `message` (once)."""
        if self.ended:
            return
        self.ended = True
        self._progress.end(self.token, types.WorkDoneProgressEnd(message=message))


def _cancel_on(done: Any, work: asyncio.Future[Any], loop: asyncio.AbstractEventLoop) -> None:
    if done.cancelled() and not work.done():
        log.info("the client cancelled %r", work)
        loop.call_soon_threadsafe(work.cancel)


def _call_on(done: Any, on_cancel: Callable[[], None], loop: asyncio.AbstractEventLoop) -> None:
    if done.cancelled():
        log.info("the client cancelled a progress")
        loop.call_soon_threadsafe(on_cancel)
