"""Keeps the server's settings in step with the editor: `initialized` and didChangeConfiguration.

Settings are pulled with `workspace/configuration` (section `orchard`) when the client can
answer it, else taken from the notification itself; files are re-read off the event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from orchard.config import load_settings

if TYPE_CHECKING:
    from orchard.lsp.server import OrchardServer

log = logging.getLogger(__name__)


def _client_can_pull(server: OrchardServer) -> bool:
    return bool(get_capability(server.client_capabilities, "workspace.configuration", False))


def _client_registers_dynamically(server: OrchardServer) -> bool:
    name = "workspace.did_change_configuration.dynamic_registration"
    return bool(get_capability(server.client_capabilities, name, False))


async def pull_client_settings(server: OrchardServer) -> Any:
    """Ask the client for its `orchard` section; None when it cannot say."""
    if not _client_can_pull(server):
        return None
    scope = server.root.as_uri() if server.root else None
    params = types.ConfigurationParams(
        items=[types.ConfigurationItem(scope_uri=scope, section="orchard")]
    )
    try:
        result = await server.workspace_configuration_async(params)
    except Exception as exc:
        log.warning("workspace/configuration failed: %s", exc)
        return None
    return result[0] if result else None


async def reload_settings(server: OrchardServer, pushed: Any = None) -> None:
    """Re-read every settings layer and put the result in force."""
    client_settings = await pull_client_settings(server)
    if client_settings is None:
        client_settings = pushed
    loaded = await asyncio.to_thread(
        load_settings, server.root, server.initialization_options, client_settings
    )
    server.apply_settings(loaded)


async def _register_for_changes(server: OrchardServer) -> None:
    if not _client_registers_dynamically(server):
        return
    registration = types.Registration(
        id="orchard-configuration",
        method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
        register_options=types.DidChangeConfigurationRegistrationOptions(section="orchard"),
    )
    try:
        await server.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as exc:
        log.warning("could not register for configuration changes: %s", exc)


def register(server: OrchardServer) -> None:
    """Register the settings handlers on `server`."""

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        await _register_for_changes(server)
        await reload_settings(server)
        await server.run_initialized_callbacks()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        await reload_settings(server, params.settings)

    @server.command("orchard.showSettings")
    def show_settings(*args: Any) -> dict[str, Any]:
        """Return the settings in force, as the editor can show them."""
        return dataclasses.asdict(server.settings)
