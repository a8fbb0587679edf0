"""The LSP client fixture: a real `orchard serve` subprocess driven by pytest-lsp."""

from __future__ import annotations

from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.support.lsp import server_config


def add_editor_handlers(client: LanguageClient, *, apply_edit: bool = True) -> None:
    """Answer what real editors answer and pytest-lsp does not: registrations, applyEdit
    (`apply_edit=False`: the test gives its own, e.g. tests/lsp/editor_client.py)."""
    client.registrations = []  # type: ignore[attr-defined]
    client.applied_edits = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister_capability(params: types.UnregistrationParams) -> None:
        gone = {u.id for u in params.unregisterations}
        client.registrations[:] = [  # type: ignore[attr-defined]
            r
            for r in client.registrations  # type: ignore[attr-defined]
            if r.id not in gone
        ]

    if not apply_edit:
        return

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit_handler(params: types.ApplyWorkspaceEditParams) -> Any:
        client.applied_edits.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """A client connected to a fresh server; each test sends its own initialize."""
    add_editor_handlers(lsp_client)
    yield
    await lsp_client.shutdown_session()
