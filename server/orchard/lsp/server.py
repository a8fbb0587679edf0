"""Orchard's language server: the `create_server()` factory and the server's shared state.

Feature modules under `orchard/lsp/` each expose `register(host)`, typed against a narrow
protocol of `lsp/host.py`; `create_server()` imports and registers them all, in order. This
module owns the lifecycle (initialize, settings, error reporting) only.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from orchard import __version__
from orchard.config import LoadedSettings, Settings, load_settings
from orchard.lsp import (
    diagnostics,
    documents,
    editor_loop,
    memory_feature,
    publish_feature,
    repomap_feature,
    settings_sync,
    tasks_feature,
)
from orchard.lsp.client_log import ClientLogHandler
from orchard.lsp.convert import uri_to_path
from orchard.lsp.diagnostic_board import DiagnosticBoard
from orchard.lsp.documents import DocumentHub
from orchard.lsp.protocol import OrchardProtocol

log = logging.getLogger(__name__)

SettingsListener = Callable[[Settings], None]
InitializedCallback = Callable[[], Awaitable[None] | None]


class OrchardServer(LanguageServer):
    """pygls server plus the state Orchard's features share: settings, root, documents."""

    def __init__(self) -> None:
        super().__init__(
            "orchard",
            __version__,
            protocol_cls=OrchardProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.settings = Settings()
        self.root: Path | None = None
        self.initialization_options: Any = None
        self.documents = DocumentHub()
        self.diagnostic_board = DiagnosticBoard(self.text_document_publish_diagnostics)
        self._settings_listeners: list[SettingsListener] = []
        self._initialized_callbacks: list[InitializedCallback] = []
        self._reported: set[str] = set()
        self._background: set[asyncio.Task[Any]] = set()
        self.client_log: ClientLogHandler | None = None  # set by `orchard serve` over stdio

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio with Orchard's own framing; exit with its code when it ends."""
        from orchard.lsp.transport import serve_stdio

        code = serve_stdio(self, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)
        if code:
            raise SystemExit(code)

    def shutdown(self) -> None:
        """Stop the large-buffer worker, then pygls' own shutdown."""
        from orchard.lsp.large_syntax import stop_worker

        stop_worker()
        super().shutdown()

    def on_settings_changed(self, listener: SettingsListener) -> None:
        """Call `listener` with the new settings whenever they change."""
        self._settings_listeners.append(listener)

    def on_initialized(self, callback: InitializedCallback) -> None:
        """Run `callback` (plain or async) once the client has sent `initialized`."""
        self._initialized_callbacks.append(callback)

    def apply_settings(self, loaded: LoadedSettings) -> None:
        """Put `loaded` in force, report its problems once, and tell the listeners."""
        if loaded.problems:
            lines = "\n".join(f"- {problem}" for problem in loaded.problems)
            self.report_error(f"Orchard ignored some settings:\n{lines}")
        changed = loaded.settings != self.settings
        self.settings = loaded.settings
        if changed:
            for listener in self._settings_listeners:
                try:
                    listener(self.settings)
                except Exception:
                    log.exception("settings listener %r failed", listener)

    def notify(self, method: str, params: Any) -> None:
        """Send the client a notification of Orchard's own (e.g. `orchard/taskChanged`)."""
        self.protocol.notify(method, params)

    def has_command(self, name: str) -> bool:
        """Whether a command of that name is registered (features may be absent in a build)."""
        return name in self.protocol.fm.commands

    def report_error(self, text: str) -> None:
        """Log `text` and show it to the user, once per distinct text."""
        log.error("%s", text)
        if text in self._reported:
            return
        self._reported.add(text)
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=text)
        )

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Answer unparsable bodies, and show other out-of-band errors once; never crash."""
        if isinstance(error, json.JSONDecodeError):
            protocol = self.protocol
            if isinstance(protocol, OrchardProtocol):
                protocol.answer_unparsable_body(error)
            return
        log.error("server error (%s): %s", getattr(source, "__name__", source), error)
        if getattr(source, "__name__", "") == "FeatureRequestError":
            return  # the request's error response already carries it
        self.report_error(f"Orchard hit an internal error: {error}")

    def spawn(self, coro: Awaitable[Any], what: str) -> asyncio.Task[Any]:
        """Run `coro` in the background, keep a reference, and report a failure once."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._background.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self._background.discard(done)
            if done.cancelled():
                return
            error = done.exception()
            if error is not None:
                log.error("%s failed", what, exc_info=error)
                self.report_error(f"Orchard: {what} failed: {error}")

        task.add_done_callback(finished)
        return task

    async def run_initialized_callbacks(self) -> None:
        """Run every `on_initialized` callback, each failure reported, none fatal."""
        for callback in self._initialized_callbacks:
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                log.exception("start-up step %r failed", callback)
                self.report_error(f"Orchard: a start-up step failed: {exc}")


def workspace_root(params: types.InitializeParams) -> Path | None:
    """Return the folder the client opened: first workspace folder, else root URI or path."""
    if params.workspace_folders:
        return uri_to_path(params.workspace_folders[0].uri)
    if params.root_uri:
        return uri_to_path(params.root_uri)
    if params.root_path:
        return Path(params.root_path)
    return None


WARM_MODULES = ("orchard.lint.pipeline", "orchard.lint.syntax", "orchard.repomap.api")


def _import_checkers() -> None:
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            log.exception("importing %s failed", name)


def create_server() -> OrchardServer:
    """Build a server with every feature module registered."""
    server = OrchardServer()

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        server.root = workspace_root(params)
        server.initialization_options = params.initialization_options
        server.documents.position_encoding = str(
            server.workspace.position_encoding or types.PositionEncodingKind.Utf16
        )
        server.apply_settings(load_settings(server.root, params.initialization_options))
        # The checking code is imported after the answer, off the loop, before it is needed.
        asyncio.get_running_loop().run_in_executor(None, _import_checkers)
        log.info("initialized for %s", server.root)

    documents.register(server)
    settings_sync.register(server)
    diagnostics.register(server)
    repo_map = repomap_feature.register(server)
    tasks = tasks_feature.register(server, live_map=lambda: repo_map.live)
    memory_feature.register(server, tasks.service)
    publish_feature.register(server, tasks.service)
    editor_loop.register(server, tasks)
    return server
