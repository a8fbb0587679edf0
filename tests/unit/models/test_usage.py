"""Model facts, cost arithmetic and usage records."""

from __future__ import annotations

import pytest

from orchard.models.client import request_timeout
from orchard.models.usage import DEFAULT_CONTEXT_WINDOW, ModelInfo, Usage

GPT4O_MINI = {
    "max_input_tokens": 128000,
    "max_output_tokens": 16384,
    "input_cost_per_token": 1.5e-07,
    "output_cost_per_token": 6e-07,
    "cache_read_input_token_cost": 7.5e-08,
    "supports_prompt_caching": True,
    "litellm_provider": "openai",
}


def test_unknown_model_gets_defaults_and_says_so() -> None:
    info = ModelInfo.from_litellm("ollama/mystery", None)

    assert info.known is False
    assert info.context_window == DEFAULT_CONTEXT_WINDOW
    assert info.cost(1000, 1000) == 0.0
    assert info.provider == "ollama"


def test_model_without_a_window_is_not_known() -> None:
    info = ModelInfo.from_litellm(
        "ollama/qwen", {"max_input_tokens": None, "litellm_provider": "o"}
    )

    assert not info.known and info.context_window == DEFAULT_CONTEXT_WINDOW


def test_cost_prices_cached_tokens_at_the_cache_rate() -> None:
    info = ModelInfo.from_litellm("gpt-4o-mini", GPT4O_MINI)

    cost = info.cost(prompt_tokens=1000, completion_tokens=100, cached_tokens=400)

    assert cost == pytest.approx(600 * 1.5e-07 + 400 * 7.5e-08 + 100 * 6e-07)
    assert info.known and info.context_window == 128000 and info.max_output_tokens == 16384


def test_cached_tokens_never_exceed_the_prompt() -> None:
    info = ModelInfo.from_litellm("gpt-4o-mini", GPT4O_MINI)

    assert info.cost(10, 0, cached_tokens=50) == pytest.approx(10 * 7.5e-08)


def test_cache_marks_only_for_providers_that_need_them() -> None:
    openai = ModelInfo.from_litellm("gpt-4o-mini", GPT4O_MINI)
    anthropic = ModelInfo.from_litellm(
        "anthropic/claude", {**GPT4O_MINI, "litellm_provider": "anthropic"}
    )

    assert not openai.wants_cache_marks
    assert anthropic.wants_cache_marks


def test_usage_records_add_up() -> None:
    first = Usage("m", prompt_tokens=10, completion_tokens=5, cost_usd=0.5, cost_known=True)
    second = Usage("m", prompt_tokens=1, completion_tokens=2, cost_usd=0.25, cost_known=False)

    total = first + second

    assert (total.prompt_tokens, total.completion_tokens, total.total_tokens) == (11, 7, 18)
    assert total.cost_usd == 0.75 and not total.cost_known
    assert (first + Usage("other")).model == "(several)"


def test_timeout_grows_with_prompt_size() -> None:
    small = request_timeout(60, 1_000)
    large = request_timeout(60, 100_000)

    assert request_timeout(60, 0) == 60
    assert small < large
    assert large == pytest.approx(160)
