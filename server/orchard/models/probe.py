"""Checks of the model layer for `orchard doctor`: can litellm load, are a model's keys set.

Goes through `client.load_litellm()`, so `client.py` stays the one place that imports litellm.
"""

from __future__ import annotations

import importlib.metadata
import os

from orchard.models.client import load_litellm


def litellm_version() -> str:
    """Load litellm and return its version; raise ImportError when it cannot load."""
    load_litellm()
    return importlib.metadata.version("litellm")


def missing_keys(model: str, api_key_env: str | None = None) -> list[str]:
    """Return the environment variables `model` needs that are not set."""
    if api_key_env:
        return [] if os.environ.get(api_key_env) else [api_key_env]
    try:
        report = load_litellm().validate_environment(model=model)
    except Exception as exc:  # litellm raises plain exceptions for unknown providers
        return [f"(cannot tell: {exc})"]
    return [str(key) for key in report.get("missing_keys", [])]
