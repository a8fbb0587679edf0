"""The VS Code extension's `orchard.*` settings are the server's settings schema: package.json
is generated from `orchard.config.export_schema`, and these tests fail when the two drift."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from orchard.config import settings_reference
from orchard.config.export_schema import restricted_configurations, vscode_key, vscode_properties

MANIFEST = Path(__file__).resolve().parents[2] / "clients" / "vscode" / "package.json"
CLIENT_ONLY = ("orchard.server.", "orchard.trace.")


def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_package_json_settings_are_the_server_schema() -> None:
    properties = manifest()["contributes"]["configuration"]["properties"]
    server_side = {k: v for k, v in properties.items() if not k.startswith(CLIENT_ONLY)}

    assert server_side == vscode_properties(), (
        "clients/vscode/package.json drifted from the settings schema: run `npm run settings` there"
    )


def test_every_setting_of_the_reference_has_a_vscode_setting() -> None:
    keys = set(vscode_properties())
    flat = {vscode_key(key) for key, _default, _doc in settings_reference() if "[]" not in key}

    assert flat == keys


def test_settings_that_run_commands_are_restricted_in_untrusted_workspaces() -> None:
    restricted = manifest()["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]

    assert set(restricted_configurations()) <= set(restricted)
    assert "orchard.server.path" in restricted
    assert {"orchard.agents.testCommand", "orchard.lint.commands"} <= set(restricted)


def test_the_export_command_prints_the_same_schema() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orchard.config.export_schema"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(done.stdout)["properties"] == vscode_properties()


def test_a_nullable_number_and_a_choice_keep_their_bounds() -> None:
    properties = vscode_properties()

    assert properties["orchard.limits.taskSeconds"]["type"] == ["number", "null"]
    assert properties["orchard.limits.taskSeconds"]["minimum"] == 1.0
    assert properties["orchard.agents.sandbox"]["enum"] == ["auto", "bwrap", "off"]
    assert properties["orchard.lint.tools"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_every_vscode_setting_at_its_default_is_accepted_by_the_server() -> None:
    from orchard.config import load_settings

    section: dict[str, Any] = {}
    for key, prop in vscode_properties().items():
        *parents, leaf = key.removeprefix("orchard.").split(".")
        node = section
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = prop["default"]

    loaded = load_settings(None, client_configuration={"orchard": section})

    assert loaded.problems == ()
    assert loaded.settings.repomap.map_tokens == 1024
