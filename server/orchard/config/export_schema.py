"""The settings tree as editor settings schemas: VS Code's `contributes.configuration` properties
(`orchard.<section>.<camelCaseKey>`), generated from `schema.py`'s fields and docs. No I/O but
printing the JSON when run as `python -m orchard.config.export_schema`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import types
import typing
from typing import Any

from orchard.config.schema import ModelSettings, Settings

# Settings whose value is a command Orchard runs: an untrusted workspace must not set them.
COMMAND_SETTINGS = ("agents.setup_command", "agents.test_command", "lint.commands")


def camel_case(key: str) -> str:
    """Turn a snake_case settings key into the camelCase key editors show."""
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), key)


def vscode_key(dotted: str) -> str:
    """Return the VS Code setting id of a dotted snake_case key (`agents.test_command`)."""
    return "orchard." + ".".join(camel_case(part) for part in dotted.split("."))


def vscode_properties() -> dict[str, dict[str, Any]]:
    """Return VS Code configuration properties for every setting, in schema order."""
    properties: dict[str, dict[str, Any]] = {}
    _add_section(Settings, "", properties)
    return properties


def restricted_configurations() -> list[str]:
    """Return the VS Code ids of the settings that run commands."""
    return [vscode_key(key) for key in COMMAND_SETTINGS]


def _add_section(cls: type, prefix: str, out: dict[str, dict[str, Any]]) -> None:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        dotted = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hint):
            _add_section(typing.cast(type, hint), f"{dotted}.", out)
            continue
        prop = _json_type(hint, f.metadata)
        prop["default"] = _json_default(f)
        prop["markdownDescription"] = str(f.metadata.get("doc", ""))
        if dotted in COMMAND_SETTINGS:
            prop["markdownDescription"] += " (ignored in untrusted workspaces)"
        out[vscode_key(dotted)] = prop


def _json_default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        value = None
    return list(value) if isinstance(value, tuple) else value


def _json_type(hint: Any, meta: typing.Mapping[str, Any]) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        nullable = _json_type(inner, meta)
        nullable["type"] = [nullable["type"], "null"]
        return nullable
    if origin is tuple and args[0] is ModelSettings:
        return {"type": "array", "items": {"anyOf": [{"type": "string"}, _model_object()]}}
    if origin is tuple:
        return {"type": "array", "items": _json_type(args[0], {})}
    if origin is dict:
        return {"type": "object", "additionalProperties": _json_type(args[1], {})}
    prop: dict[str, Any] = {"type": _SCALARS[hint]}
    if "min" in meta:
        prop["minimum"] = meta["min"]
    if "max" in meta:
        prop["maximum"] = meta["max"]
    if "choices" in meta:
        prop["enum"] = list(meta["choices"])
    return prop


_SCALARS: dict[Any, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _model_object() -> dict[str, Any]:
    hints = typing.get_type_hints(ModelSettings)
    properties = {}
    for f in dataclasses.fields(ModelSettings):
        prop = _json_type(hints[f.name], f.metadata)
        prop["description"] = str(f.metadata.get("doc", ""))
        properties[camel_case(f.name)] = prop
    return {"type": "object", "required": ["model"], "properties": properties}


def main() -> int:
    """Print the VS Code properties and restricted settings as one JSON object."""
    document = {
        "properties": vscode_properties(),
        "restrictedConfigurations": restricted_configurations(),
    }
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
