"""Orchard's log records, sent to the editor as `window/logMessage` at their real level.

Under `orchard serve` notices (a missing linter, a malformed message) belong in the editor's
log, not on stderr, where editors print every line as an error. Never shows a popup.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from orchard.lsp.server import OrchardServer

_LEVELS = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)


def message_type(level: int) -> types.MessageType:
    """Map a logging level to the LSP message type of the same weight."""
    for floor, kind in _LEVELS:
        if level >= floor:
            return kind
    return types.MessageType.Log


class ClientLogHandler(logging.Handler):
    """Forwards `orchard.*` records to the client from any thread, on the server's loop."""

    def __init__(self, server: OrchardServer, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sending = threading.local()
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def filter(self, record: logging.LogRecord) -> bool:
        """Only Orchard's own records (pygls logs every message it sends, at INFO)."""
        return record.name == "orchard" or record.name.startswith("orchard.")

    def emit(self, record: logging.LogRecord) -> None:
        """Queue the record for the client (dropped before the loop runs or once it stops)."""
        loop = self.loop
        if loop is None or loop.is_closed() or getattr(self._sending, "active", False):
            return
        params = types.LogMessageParams(
            type=message_type(record.levelno), message=self.format(record)
        )
        try:
            loop.call_soon_threadsafe(self._send, params)
        except RuntimeError:  # the loop has stopped
            return

    def _send(self, params: types.LogMessageParams) -> None:
        if self.server.protocol.writer is None:
            return
        self._sending.active = True
        try:
            self.server.window_log_message(params)
        finally:
            self._sending.active = False


def route_logs_to_client(server: OrchardServer, log_file: bool) -> ClientLogHandler:
    """Send notices to the client; leave stderr (without --log-file) only genuine errors."""
    root = logging.getLogger()
    handler = ClientLogHandler(server)
    for existing in root.handlers:
        if existing.level == logging.NOTSET:
            existing.setLevel(root.level)
        if (
            not log_file
            and isinstance(existing, logging.StreamHandler)
            and not isinstance(existing, logging.FileHandler)
        ):
            existing.setLevel(max(existing.level, logging.ERROR))
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))
    return handler
