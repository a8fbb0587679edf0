"""What a feature may use of the server, as narrow protocols: each feature module types its
`register(host)` against the smallest one it needs, never against the server class (so no
feature imports `lsp/server.py`, and the factory is the only place that knows them all).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lsprotocol import types
from pygls.progress import Progress

if TYPE_CHECKING:
    from orchard.config import Settings
    from orchard.lsp.diagnostic_board import DiagnosticBoard
    from orchard.lsp.documents import DocumentHub

Handler = Callable[..., Any]


class Registrar(Protocol):
    """Registering handlers and hooks."""

    def feature(self, feature_name: str, options: Any | None = None) -> Callable[[Any], Any]: ...

    def command(self, command_name: str) -> Callable[[Any], Any]: ...

    def on_settings_changed(self, listener: Callable[[Settings], None]) -> None: ...

    def on_initialized(self, callback: Callable[[], Awaitable[None] | None]) -> None: ...


class DocumentsHost(Registrar, Protocol):
    """The open documents."""

    documents: DocumentHub


class WorkspaceHost(DocumentsHost, Protocol):
    """The workspace: settings in force, the root, the documents, background work."""

    settings: Settings
    root: Path | None

    def spawn(self, coro: Awaitable[Any], what: str) -> asyncio.Task[Any]: ...

    def report_error(self, text: str) -> None: ...


class DiagnosticsHost(WorkspaceHost, Protocol):
    """Publishing diagnostics (through the board, which merges every source's share)."""

    diagnostic_board: DiagnosticBoard

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None: ...


class ClientHost(WorkspaceHost, Protocol):
    """Asking the client: capabilities, registrations, progress."""

    @property
    def client_capabilities(self) -> types.ClientCapabilities: ...

    @property
    def work_done_progress(self) -> Progress: ...

    def client_register_capability_async(
        self, params: types.RegistrationParams
    ) -> Awaitable[None]: ...


class EditorHost(DiagnosticsHost, ClientHost, Protocol):
    """Everything the editor loop uses: diagnostics, the client, edits and notifications."""

    def workspace_apply_edit_async(
        self, params: types.ApplyWorkspaceEditParams
    ) -> Awaitable[types.ApplyWorkspaceEditResult]: ...

    def notify(self, method: str, params: Any) -> None: ...

    def has_command(self, name: str) -> bool: ...
