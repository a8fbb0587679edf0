"""Reading settings: each layer validated on its own, merged, built into the typed tree; the only
place that reads settings files.

Layers, lowest precedence first: defaults, `[tool.orchard]` in the workspace's pyproject.toml,
`.orchard.toml` at the repository root, LSP initializationOptions, then the editor's
`orchard` configuration section. A bad key is reported (naming the key and the reason) and
dropped, so the layers below it, or the default, apply.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchard.config.schema import SECRET_KEYS, ModelSettings, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SettingsProblem:
    """One bad setting: where it came from, which key, and why it was refused."""

    source: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"orchard setting `{self.key}` from {self.source}: {self.reason}; using the default"


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    """The settings in force and the problems met while reading them."""

    settings: Settings
    problems: tuple[SettingsProblem, ...] = ()


def snake_case(key: str) -> str:
    """Turn an editor-style camelCase key into the snake_case key of the settings tree."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).replace("-", "_").lower()


class _Validator:
    """Checks one layer's raw mapping against the settings tree, keeping only what is valid."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[SettingsProblem] = []

    def refuse(self, key: str, reason: str) -> None:
        self.problems.append(SettingsProblem(self.source, key, reason))

    def section(self, cls: type, raw: Any, prefix: str) -> dict[str, Any]:
        if is_empty_array(raw):
            return {}
        if not isinstance(raw, Mapping):
            self.refuse(prefix or "orchard", f"expected a table, got {_describe(raw)}")
            return {}
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        clean: dict[str, Any] = {}
        for raw_key, value in raw.items():
            name = snake_case(str(raw_key))
            key = f"{prefix}.{name}" if prefix else name
            if name in SECRET_KEYS or name.endswith("_api_key"):
                self.refuse(key, "secrets are never read from settings; set `api_key_env` instead")
                continue
            if name not in fields:
                self.refuse(key, "unknown setting")
                continue
            ok, converted = self.value(hints[name], value, key, fields[name].metadata)
            if ok:
                clean[name] = converted
        return clean

    def value(self, hint: Any, value: Any, key: str, meta: Mapping[str, Any]) -> tuple[bool, Any]:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (types.UnionType, typing.Union) and type(None) in args:
            if value is None:
                return True, None
            (hint,) = [a for a in args if a is not type(None)]
            return self.value(hint, value, key, meta)
        if dataclasses.is_dataclass(hint):
            return True, self.section(typing.cast(type, hint), value, key)
        if origin is tuple:
            return self.sequence(args[0], value, key, meta)
        if origin is dict:
            if is_empty_array(value):
                return True, {}
            if not isinstance(value, Mapping):
                self.refuse(key, f"expected a table, got {_describe(value)}")
                return False, None
            out = {}
            for sub_key, sub_value in value.items():
                ok, converted = self.value(args[1], sub_value, f"{key}.{sub_key}", meta)
                if ok:
                    out[str(sub_key)] = converted
            return True, out
        return self.scalar(hint, value, key, meta)

    def sequence(
        self, item: Any, value: Any, key: str, meta: Mapping[str, Any]
    ) -> tuple[bool, Any]:
        if isinstance(value, str) and item is str:
            value = [value]
        if not isinstance(value, list | tuple):
            self.refuse(key, f"expected a list, got {_describe(value)}")
            return False, None
        out = []
        for index, element in enumerate(value):
            if item is ModelSettings and isinstance(element, str):
                element = {"model": element}
            ok, converted = self.value(item, element, f"{key}[{index}]", meta)
            if ok and item is ModelSettings and "model" not in converted:
                self.refuse(f"{key}[{index}]", "a model needs a `model` string")
                continue
            if ok:
                out.append(converted)
        return True, out

    def scalar(self, hint: Any, value: Any, key: str, meta: Mapping[str, Any]) -> tuple[bool, Any]:
        if hint is bool:
            if isinstance(value, bool):
                return True, value
            self.refuse(key, f"expected true or false, got {_describe(value)}")
            return False, None
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.refuse(key, f"expected a whole number, got {_describe(value)}")
                return False, None
        elif hint is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.refuse(key, f"expected a number, got {_describe(value)}")
                return False, None
            value = float(value)
        elif hint is str and (not isinstance(value, str) or not value.strip()):
            self.refuse(key, f"expected a non-empty string, got {_describe(value)}")
            return False, None
        if "min" in meta and value < meta["min"]:
            self.refuse(key, f"must be at least {meta['min']}, got {value!r}")
            return False, None
        if "max" in meta and value > meta["max"]:
            self.refuse(key, f"must be at most {meta['max']}, got {value!r}")
            return False, None
        if "choices" in meta and value not in meta["choices"]:
            self.refuse(key, f"must be one of {', '.join(meta['choices'])}, got {value!r}")
            return False, None
        return True, value


# --- editor encodings (lsp helper) -----------------------------------------------------------
def is_empty_array(value: Any) -> bool:
    """Tell whether `value` is `[]`: Lua clients (Neovim) encode an empty table `{}` so."""
    return isinstance(value, list | tuple) and len(value) == 0


# --- end of editor encodings ------------------------------------------------------------------


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate_layer(raw: Any, source: str) -> tuple[dict[str, Any], list[SettingsProblem]]:
    """Check one layer of raw settings; return its valid part and what was refused."""
    validator = _Validator(source)
    clean = validator.section(Settings, raw if raw is not None else {}, "")
    return clean, validator.problems


def merge_layers(lower: Mapping[str, Any], higher: Mapping[str, Any]) -> dict[str, Any]:
    """Overlay `higher` on `lower`, table by table; lists are replaced, not joined."""
    merged = dict(lower)
    for key, value in higher.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_layers(merged[key], value)
        else:
            merged[key] = value
    return merged


def build_settings(clean: Mapping[str, Any]) -> Settings:
    """Build the typed tree from validated, merged layers."""
    return typing.cast(Settings, _build(Settings, clean))


def _build(cls: type, data: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            kwargs[name] = _build(typing.cast(type, hint), value)
        elif name == "models":
            kwargs[name] = tuple(ModelSettings(**entry) for entry in value)
        elif name == "tools":
            kwargs[name] = {lang: tuple(tools) for lang, tools in value.items()}
        elif isinstance(value, list):
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    return cls(**kwargs)


def find_repository_root(start: Path) -> Path | None:
    """Return the nearest folder at or above `start` that holds `.git`, if any."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def read_file_layers(workspace: Path) -> list[tuple[str, Any, list[SettingsProblem]]]:
    """Read `[tool.orchard]` from pyproject.toml and `.orchard.toml`, as (source, raw, problems)."""
    layers: list[tuple[str, Any, list[SettingsProblem]]] = []
    pyproject = workspace / "pyproject.toml"
    repo_root = find_repository_root(workspace) or workspace
    candidates = [(pyproject, ("tool", "orchard")), (repo_root / ".orchard.toml", ())]
    for path, keys in candidates:
        if not path.is_file():
            continue
        try:
            data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problem = SettingsProblem(str(path), "orchard", f"file could not be read: {exc}")
            layers.append((str(path), {}, [problem]))
            continue
        for key in keys:
            data = data.get(key, {}) if isinstance(data, Mapping) else {}
        layers.append((str(path), data, []))
    return layers


def load_settings(
    workspace: Path | None,
    initialization_options: Any = None,
    client_configuration: Any = None,
) -> LoadedSettings:
    """Read every layer for `workspace` and return the settings in force with any problems."""
    layers = read_file_layers(workspace) if workspace else []
    for source, raw in (
        ("LSP initializationOptions", initialization_options),
        ("the editor's `orchard` settings", client_configuration),
    ):
        if raw is None:
            continue
        if isinstance(raw, Mapping) and (
            isinstance(raw.get("orchard"), Mapping) or is_empty_array(raw.get("orchard"))
        ):
            raw = raw["orchard"]
        layers.append((source, raw, []))
    merged: dict[str, Any] = {}
    problems: list[SettingsProblem] = []
    for source, raw, read_problems in layers:
        problems.extend(read_problems)
        clean, layer_problems = validate_layer(raw, source)
        problems.extend(layer_problems)
        merged = merge_layers(merged, clean)
    for problem in problems:
        log.warning("%s", problem)
    return LoadedSettings(build_settings(merged), tuple(problems))


def settings_reference(cls: type = Settings, prefix: str = "") -> list[tuple[str, str, str]]:
    """List every setting as (dotted key, default, description), for docs and editor schemas."""
    rows: list[tuple[str, str, str]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            rows.extend(settings_reference(typing.cast(type, hint), f"{key}."))
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        rows.append((key, repr(default), f.metadata.get("doc", "")))
    return rows
