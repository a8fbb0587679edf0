"""What a model call gives back: the text, a usage record (tokens, cost, latency), model facts.

Plain value objects and the cost arithmetic; no litellm import, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_CONTEXT_WINDOW = 8192
DEFAULT_MAX_OUTPUT_TOKENS = 4096

# Providers that cache a prompt prefix only where the request marks it with cache_control.
EXPLICIT_CACHE_PROVIDERS = frozenset(
    {"anthropic", "bedrock", "bedrock_converse", "vertex_ai-anthropic_models"}
)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What litellm knows of a model; `known` is False when defaults stand in."""

    model: str
    context_window: int = DEFAULT_CONTEXT_WINDOW
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    input_cost_per_token: float = 0.0
    output_cost_per_token: float = 0.0
    cache_read_cost_per_token: float | None = None
    provider: str = ""
    supports_prompt_caching: bool = False
    known: bool = False

    @classmethod
    def from_litellm(cls, model: str, raw: Mapping[str, Any] | None) -> ModelInfo:
        """Build from litellm's model-info mapping (None or gaps: sensible defaults)."""
        if not raw:
            return cls(model=model, provider=model.split("/", 1)[0] if "/" in model else "")
        window = raw.get("max_input_tokens") or raw.get("max_tokens")
        output = raw.get("max_output_tokens") or raw.get("max_tokens")
        return cls(
            model=model,
            context_window=int(window or DEFAULT_CONTEXT_WINDOW),
            max_output_tokens=int(
                output or min(DEFAULT_MAX_OUTPUT_TOKENS, int(window or 0) or 4096)
            ),
            input_cost_per_token=float(raw.get("input_cost_per_token") or 0.0),
            output_cost_per_token=float(raw.get("output_cost_per_token") or 0.0),
            cache_read_cost_per_token=_optional_float(raw.get("cache_read_input_token_cost")),
            provider=str(raw.get("litellm_provider") or ""),
            supports_prompt_caching=bool(raw.get("supports_prompt_caching")),
            known=window is not None,
        )

    @property
    def wants_cache_marks(self) -> bool:
        """Whether prompts for this model should carry cache_control marks."""
        return self.supports_prompt_caching and self.provider in EXPLICIT_CACHE_PROVIDERS

    def cost(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        """Return the price in USD of a call with these token counts."""
        cached = min(max(cached_tokens, 0), prompt_tokens)
        cached_rate = (
            self.cache_read_cost_per_token
            if self.cache_read_cost_per_token is not None
            else self.input_cost_per_token
        )
        return (
            (prompt_tokens - cached) * self.input_cost_per_token
            + cached * cached_rate
            + completion_tokens * self.output_cost_per_token
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class Usage:
    """The usage record of one model call, handed to whoever asked for the call."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    latency_seconds: float = 0.0
    attempts: int = 1
    waited_seconds: float = 0.0
    cost_known: bool = False
    tokens_reported: bool = True

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            model=self.model if self.model == other.model else "(several)",
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
            latency_seconds=self.latency_seconds + other.latency_seconds,
            attempts=self.attempts + other.attempts,
            waited_seconds=self.waited_seconds + other.waited_seconds,
            cost_known=self.cost_known and other.cost_known,
            tokens_reported=self.tokens_reported and other.tokens_reported,
        )


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished completion: the text, why it stopped, and its usage record."""

    text: str
    model: str
    finish_reason: str | None
    usage: Usage


@dataclass(frozen=True, slots=True)
class Embeddings:
    """Vectors for a list of texts, in the same order, with the call's usage record."""

    vectors: tuple[tuple[float, ...], ...]
    model: str
    usage: Usage


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Told to the caller before each backoff wait, so progress can say why it paused."""

    model: str
    attempt: int
    wait_seconds: float
    reason: str
