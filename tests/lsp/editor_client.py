"""A test client that behaves like an editor with buffers: it keeps the text and version of the
documents it opened, applies `workspace/applyEdit` to them (refusing a TextDocumentEdit whose
version is not the buffer's, as VS Code does), tells the server with didChange, and records
Orchard's `orchard/taskChanged` notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types
from pytest_lsp import LanguageClient

from orchard.lsp.text_store import Change, TextStore

TASK_CHANGED = "orchard/taskChanged"


@dataclass
class Buffers:
    """The editor's side of the open documents."""

    client: LanguageClient
    texts: dict[str, TextStore] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    edits: list[types.ApplyWorkspaceEditParams] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    task_changes: list[dict[str, Any]] = field(default_factory=list)
    before_apply: Callable[[types.ApplyWorkspaceEditParams], None] | None = None
    encoding: str = "utf-16"  # the negotiated position encoding, which edits' columns count

    def open(self, path: Path, text: str, language: str = "python") -> str:
        uri = path.as_uri()
        self.texts[uri] = TextStore(text, self.encoding)
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=1, text=text
                )
            )
        )
        return uri

    def text(self, uri: str) -> str:
        return self.texts[uri].text()

    def type_text(self, uri: str, text: str) -> None:
        """The user replaces the buffer's whole text (one didChange)."""
        self.texts[uri] = TextStore(text, self.encoding)
        self._changed(uri, text)

    def _changed(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def apply(self, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        self.edits.append(params)
        if self.before_apply is not None:
            self.before_apply(params)
        edit = params.edit
        per_uri: list[tuple[str, int | None, list[types.TextEdit]]] = []
        for change in edit.document_changes or []:
            if isinstance(change, types.TextDocumentEdit):
                document = change.text_document
                edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
                per_uri.append((document.uri, document.version, edits))
        for uri, edits in (edit.changes or {}).items():
            per_uri.append((uri, None, list(edits)))
        for uri, version, _ in per_uri:
            if version is not None and self.versions.get(uri) != version:
                self.answers.append(False)
                return types.ApplyWorkspaceEditResult(
                    applied=False, failure_reason=f"{uri} is at version {self.versions.get(uri)}"
                )
        for uri, _, edits in per_uri:
            if uri not in self.texts:
                continue  # a file on disk only: the editor would open and edit it
            store = self.texts[uri]
            for text_edit in reversed(edits):
                r = text_edit.range
                store.apply(
                    Change(
                        r.start.line, r.start.character, r.end.line, r.end.character,
                        text_edit.new_text,
                    )
                )  # fmt: skip
            self._changed(uri, store.text())
        self.answers.append(True)
        return types.ApplyWorkspaceEditResult(applied=True)


def editor_buffers(client: LanguageClient) -> Buffers:
    """Give `client` buffers, an applyEdit handler over them, and a taskChanged log."""
    buffers = Buffers(client)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        return buffers.apply(params)

    @client.feature(TASK_CHANGED)
    def task_changed(params: Any) -> None:
        buffers.task_changes.append(params)

    known = client.protocol.get_message_type

    def message_type(method: str) -> Any:  # keep Orchard's notification as plain JSON
        return RawNotification if method == TASK_CHANGED else known(method)

    client.protocol.get_message_type = message_type  # type: ignore[method-assign]
    return buffers


@attrs.define
class RawNotification:
    """A notification whose params stay the JSON the server sent."""

    method: str
    jsonrpc: str
    params: Any = None


@attrs.define
class RawResult:
    """A response kept as the JSON the server sent (no namedtuples, no lsprotocol types)."""

    id: Any
    jsonrpc: str
    result: Any = None


async def json_request(client: LanguageClient, method: str, params: Any) -> Any:
    """Send a request with JSON params and return the JSON result exactly as sent."""
    import asyncio
    import json
    import uuid

    msg_id = str(uuid.uuid4())
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = future  # type: ignore[assignment]
    client.protocol._result_types[msg_id] = RawResult
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    assert client.protocol.writer is not None
    client.protocol.writer.write(f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
    return await asyncio.wait_for(future, 30)
