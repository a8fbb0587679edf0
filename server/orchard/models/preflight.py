"""Before agents start: can each chosen model be called at all (known provider, keys set)?

Offline and quick (litellm's own tables and the environment, no network), so every front door
that starts agents (`orchard run`, the language server) can call it before it creates anything.
Goes through `client.load_litellm()`; must not touch git or start calls.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

from orchard.config import Settings
from orchard.errors import ModelsNotReady
from orchard.models.client import load_litellm

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelProblem:
    """Why one model cannot be called, in one line that says what to do."""

    model: str
    problem: str

    def __str__(self) -> str:
        return f"{self.model}: {self.problem}"


def check_models(settings: Settings, models: Iterable[str]) -> list[ModelProblem]:
    """Return one problem per model that cannot be called as configured (empty: all ready)."""
    problems: list[ModelProblem] = []
    for model in dict.fromkeys(models):
        problem = _check_one(settings, model)
        if problem is not None:
            problems.append(ModelProblem(model, problem))
    return problems


def require_models(settings: Settings, models: Iterable[str]) -> None:
    """Raise ModelsNotReady, one line per model, unless every model in `models` can be called."""
    problems = check_models(settings, models)
    if problems:
        raise ModelsNotReady("\n".join(str(p) for p in problems))


def _check_one(settings: Settings, model: str) -> str | None:
    litellm = load_litellm()
    entry = settings.model(model)
    try:
        litellm.get_llm_provider(model, api_base=entry.api_base)
    except Exception:  # litellm raises its BadRequestError for a provider it does not know
        provider = model.split("/", 1)[0] if "/" in model else model
        return (
            f"unknown provider {provider!r}: write the model as provider/name,"
            " e.g. openai/gpt-4o or ollama/qwen2.5-coder (see litellm's provider list)"
        )
    if entry.api_key_env:
        if os.environ.get(entry.api_key_env):
            return None
        return f"missing API key: set {entry.api_key_env} (named by this model's api_key_env)"
    try:
        report = litellm.validate_environment(model=model, api_base=entry.api_base)
    except Exception as exc:  # an unexpected litellm failure must not block a run it cannot judge
        log.info("cannot check the environment of %s: %s", model, exc)
        return None
    missing = [str(key) for key in report.get("missing_keys", [])]
    if not missing:
        return None
    names = " and ".join(missing)
    return f"missing API key: set {names} (or name another variable in this model's api_key_env)"
