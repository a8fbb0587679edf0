"""Checks of the model layer for `orchard doctor`: can litellm load, are a model's keys set.

Imports litellm lazily (after asking for the local cost map), like the rest of `models/`.
"""

from __future__ import annotations

import os


def litellm_version() -> str:
    """Import litellm and return its version; raise ImportError when it cannot load."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import importlib.metadata

    import litellm  # noqa: F401 - the import itself is what is being checked

    return importlib.metadata.version("litellm")


def missing_keys(model: str, api_key_env: str | None = None) -> list[str]:
    """Return the environment variables `model` needs that are not set."""
    if api_key_env:
        return [] if os.environ.get(api_key_env) else [api_key_env]
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    try:
        report = litellm.validate_environment(model=model)
    except Exception as exc:  # litellm raises plain exceptions for unknown providers
        return [f"(cannot tell: {exc})"]
    return [str(key) for key in report.get("missing_keys", [])]
