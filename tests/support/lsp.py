"""Driving the real `orchard serve` process over stdio with pytest-lsp, as editors would."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

CAPABILITY_SETS = ("visual_studio_code", "neovim@v0.7.0", "neovim@v0.11.0")

SERVER_COMMAND = [sys.executable, "-m", "orchard", "serve"]


def server_env(**extra: str) -> dict[str, str]:
    """Environment for the server process: the test's own, plus no network cost map."""
    return {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **extra}


def server_config(**env: str) -> ClientServerConfig:
    """A pytest-lsp config that starts `orchard serve` as a subprocess."""
    return ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(**env))


async def initialize(
    client: LanguageClient,
    root: Path | None,
    capabilities: str = "visual_studio_code",
    initialization_options: Any = None,
) -> types.InitializeResult:
    """Send initialize/initialized for `root` with a named editor's capabilities."""
    params = types.InitializeParams(
        capabilities=client_capabilities(capabilities),
        root_uri=root.as_uri() if root else None,
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]
        if root
        else None,
        initialization_options=initialization_options,
    )
    return await client.initialize_session(params)


def open_document(client: LanguageClient, path: Path, text: str, language: str) -> str:
    """Send didOpen for `path` with `text`; return its URI."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    return uri


async def send_raw_request(client: LanguageClient, method: str, params: Any) -> Any:
    """Send a request exactly as given (even invalid params) and await the server's answer."""
    import asyncio
    import json
    import uuid

    msg_id = str(uuid.uuid4())
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = future  # type: ignore[assignment]
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    assert client.protocol.writer is not None
    client.protocol.writer.write(f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
    return await asyncio.wait_for(future, 10)


async def send_raw_body(client: LanguageClient, body: bytes) -> None:
    """Send a framed body that need not be JSON."""
    assert client.protocol.writer is not None
    client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
