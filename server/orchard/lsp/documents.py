"""Open documents: owns didOpen/didChange/didSave/didClose and fans them out as plain events.

pygls allows one handler per method, so every feature that cares about documents (the live
repo map, diagnostics) subscribes here and receives `DocumentEvent`s with no LSP types in them.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path

if TYPE_CHECKING:
    from orchard.lsp.server import OrchardServer

log = logging.getLogger(__name__)


class DocumentEventKind(enum.StrEnum):
    """What happened to a document."""

    OPENED = "opened"
    CHANGED = "changed"
    SAVED = "saved"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class TextChange:
    """One incremental change as the client sent it (characters in the negotiated encoding)."""

    start_line: int = 0
    start_character: int = 0
    end_line: int = 0
    end_character: int = 0
    text: str = ""
    whole: bool = False


@dataclass(frozen=True, slots=True)
class DocumentEvent:
    """A document was opened, changed, saved or closed; `text` is its text afterwards."""

    kind: DocumentEventKind
    uri: str
    path: Path | None
    version: int | None
    text: str | None
    previous_text: str | None = None
    changes: tuple[TextChange, ...] = ()
    language_id: str | None = None


DocumentListener = Callable[[DocumentEvent], None]


class DocumentHub:
    """Keeps the last text of each open document and tells subscribers what happened."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._languages: dict[str, str] = {}
        self._listeners: list[DocumentListener] = []
        self.position_encoding = "utf-16"

    def subscribe(self, listener: DocumentListener) -> None:
        """Call `listener` with every document event, on the event loop, in order."""
        self._listeners.append(listener)

    def text(self, uri: str) -> str | None:
        """Return the editor's text of an open document, or None when it is not open."""
        return self._texts.get(uri)

    def open_uris(self) -> list[str]:
        """Return the URIs of open documents, in the order they were opened."""
        return list(self._texts)

    def open_paths(self) -> list[Path]:
        """Return the file paths of open documents."""
        paths = (uri_to_path(uri) for uri in self._texts)
        return [path for path in paths if path is not None]

    def buffers(self) -> dict[Path, str]:
        """Return the editor's text of every open file document, by path."""
        out: dict[Path, str] = {}
        for uri, text in self._texts.items():
            path = uri_to_path(uri)
            if path is not None:
                out[path] = text
        return out

    def publish(self, event: DocumentEvent) -> None:
        """Record the event's text and hand the event to every listener."""
        if event.kind is DocumentEventKind.CLOSED:
            self._texts.pop(event.uri, None)
            self._languages.pop(event.uri, None)
        elif event.text is not None:
            self._texts[event.uri] = event.text
            if event.language_id:
                self._languages[event.uri] = event.language_id
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("document listener %r failed on %s", listener, event.kind)

    def language_id(self, uri: str) -> str | None:
        """Return the language id the client gave when opening `uri`."""
        return self._languages.get(uri)


def uri_to_path(uri: str) -> Path | None:
    """Return the file path of a `file:` URI, or None for other schemes."""
    if not uri.startswith("file:"):
        return None
    fs_path = to_fs_path(uri)
    return Path(fs_path) if fs_path else None


def _change(change: types.TextDocumentContentChangeEvent) -> TextChange:
    if isinstance(change, types.TextDocumentContentChangePartial):
        r = change.range
        return TextChange(r.start.line, r.start.character, r.end.line, r.end.character, change.text)
    return TextChange(text=change.text, whole=True)


def register(server: OrchardServer) -> None:
    """Register the document sync handlers on `server`."""
    hub = server.documents

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        event = DocumentEvent(
            DocumentEventKind.OPENED,
            doc.uri,
            uri_to_path(doc.uri),
            doc.version,
            doc.text,
            language_id=doc.language_id,
        )
        hub.publish(event)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        event = DocumentEvent(
            DocumentEventKind.CHANGED,
            uri,
            uri_to_path(uri),
            params.text_document.version,
            document.source,
            previous_text=hub.text(uri),
            changes=tuple(_change(c) for c in params.content_changes),
            language_id=hub.language_id(uri),
        )
        hub.publish(event)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        text = params.text if params.text is not None else hub.text(uri)
        event = DocumentEvent(
            DocumentEventKind.SAVED,
            uri,
            uri_to_path(uri),
            None,
            text,
            language_id=hub.language_id(uri),
        )
        hub.publish(event)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        event = DocumentEvent(
            DocumentEventKind.CLOSED,
            uri,
            uri_to_path(uri),
            None,
            None,
            language_id=hub.language_id(uri),
        )
        hub.publish(event)
