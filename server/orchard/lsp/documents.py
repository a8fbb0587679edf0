"""Open documents: owns didOpen/didChange/didSave/didClose and fans them out as plain events.

pygls allows one handler per method, so every feature that cares about documents (the live
repo map, diagnostics) subscribes here and receives `DocumentEvent`s with no LSP types in them.
Texts live in `TextStore`s (pygls' own copy is not kept); a buffer over `large_chars` is
announced with `large=True` and no text, so no listener joins 5 MB per keystroke.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from orchard.lsp.convert import uri_to_path
from orchard.lsp.text_store import Change, TextStore

if TYPE_CHECKING:
    from orchard.config import Settings
    from orchard.lsp.host import DocumentsHost

log = logging.getLogger(__name__)


class DocumentEventKind(enum.StrEnum):
    """What happened to a document."""

    OPENED = "opened"
    CHANGED = "changed"
    SAVED = "saved"
    CLOSED = "closed"


TextChange = Change  # one incremental change as the client sent it
DEFAULT_LARGE_CHARS = 1_000_000


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
    large: bool = False  # over the size cap: `text` is None, read `DocumentHub.store` if needed


DocumentListener = Callable[[DocumentEvent], None]


class DocumentHub:
    """Keeps the last text of each open document and tells subscribers what happened."""

    def __init__(self) -> None:
        self._stores: dict[str, TextStore] = {}
        self._versions: dict[str, int] = {}
        self._languages: dict[str, str] = {}
        self._listeners: list[DocumentListener] = []
        self.position_encoding = "utf-16"
        self.large_chars = DEFAULT_LARGE_CHARS

    def subscribe(self, listener: DocumentListener) -> None:
        """Call `listener` with every document event, on the event loop, in order."""
        self._listeners.append(listener)

    def text(self, uri: str) -> str | None:
        """Return the editor's text of an open document, or None when it is not open."""
        store = self._stores.get(uri)
        return store.text() if store is not None else None

    def version(self, uri: str) -> int | None:
        """Return the client's version of an open document's current text."""
        return self._versions.get(uri)

    def store(self, uri: str) -> TextStore | None:
        """Return the text store of an open document."""
        return self._stores.get(uri)

    def is_large(self, uri: str) -> bool:
        """Tell whether an open document is over the size cap."""
        store = self._stores.get(uri)
        return store is not None and len(store) > self.large_chars

    def open_uris(self) -> list[str]:
        """Return the URIs of open documents, in the order they were opened."""
        return list(self._stores)

    def open_paths(self) -> list[Path]:
        """Return the file paths of open documents."""
        paths = (uri_to_path(uri) for uri in self._stores)
        return [path for path in paths if path is not None]

    def buffers(self) -> dict[Path, str]:
        """Return the editor's text of every open file document under the cap, by path."""
        out: dict[Path, str] = {}
        for uri, store in self._stores.items():
            path = uri_to_path(uri)
            if path is not None and len(store) <= self.large_chars:
                out[path] = store.text()
        return out

    def open(
        self, uri: str, text: str, language_id: str | None, version: int | None = None
    ) -> None:
        """Start keeping the text (and version) of `uri`."""
        self._stores[uri] = TextStore(text, self.position_encoding)
        if version is not None:
            self._versions[uri] = version
        if language_id:
            self._languages[uri] = language_id

    def change(
        self, uri: str, changes: tuple[TextChange, ...], version: int | None = None
    ) -> str | None:
        """Apply edits to `uri`; return its text before them (None when large or unknown)."""
        if version is not None:
            self._versions[uri] = version
        store = self._stores.get(uri)
        if store is None:
            log.warning("change to %s, which is not open; taking it as opened", uri)
            store = self._stores[uri] = TextStore("", self.position_encoding)
        previous = store.text() if len(store) <= self.large_chars else None
        for change in changes:
            store.apply(change)
        return previous

    def publish(self, event: DocumentEvent) -> None:
        """Hand the event to every listener (forgetting the text of a closed document)."""
        if event.kind is DocumentEventKind.CLOSED:
            self._stores.pop(event.uri, None)
            self._versions.pop(event.uri, None)
            self._languages.pop(event.uri, None)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("document listener %r failed on %s", listener, event.kind)

    def language_id(self, uri: str) -> str | None:
        """Return the language id the client gave when opening `uri`."""
        return self._languages.get(uri)


def _change(change: types.TextDocumentContentChangeEvent) -> TextChange:
    if isinstance(change, types.TextDocumentContentChangePartial):
        r = change.range
        return TextChange(r.start.line, r.start.character, r.end.line, r.end.character, change.text)
    return TextChange(text=change.text, whole=True)


def register(server: DocumentsHost) -> None:
    """Register the document sync handlers on `server`."""
    hub = server.documents

    def on_settings(settings: Settings) -> None:
        hub.large_chars = settings.lint.large_buffer_chars

    server.on_settings_changed(on_settings)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        hub.open(doc.uri, doc.text, doc.language_id, doc.version)
        large = hub.is_large(doc.uri)
        event = DocumentEvent(
            DocumentEventKind.OPENED,
            doc.uri,
            uri_to_path(doc.uri),
            doc.version,
            None if large else doc.text,
            language_id=doc.language_id,
            large=large,
        )
        hub.publish(event)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        changes = tuple(_change(c) for c in params.content_changes)
        previous = hub.change(uri, changes, params.text_document.version)
        large = hub.is_large(uri)
        event = DocumentEvent(
            DocumentEventKind.CHANGED,
            uri,
            uri_to_path(uri),
            params.text_document.version,
            None if large else hub.text(uri),
            previous_text=previous,
            changes=changes,
            language_id=hub.language_id(uri),
            large=large,
        )
        hub.publish(event)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        large = hub.is_large(uri)
        text = None if large else hub.text(uri)
        event = DocumentEvent(
            DocumentEventKind.SAVED,
            uri,
            uri_to_path(uri),
            None,
            text,
            language_id=hub.language_id(uri),
            large=large,
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
