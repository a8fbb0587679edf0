"""Orchard's one door to model providers; litellm is imported (lazily) here and in `attempt.py`.

It owns completions (streamed, with progress), retries with backoff, a circuit breaker and a
concurrency limit per model, timeouts, token counting, model facts, usage records and
embeddings. It must not know about git, agents, prompts or the editor.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from orchard.config import ModelSettings, Settings
from orchard.errors import ModelError, ModelUnavailable
from orchard.models.attempt import ProgressCallback, run_attempt
from orchard.models.attempt import field_of as _get
from orchard.models.attempt import load_litellm as load_litellm
from orchard.models.attempt import load_litellm_async as load_litellm_async
from orchard.models.bounds import CallBounds, call_bounds
from orchard.models.loop import on_caller_loop, on_model_loop
from orchard.models.retry import (
    BackoffPolicy,
    CircuitBreaker,
    Failure,
    classify,
    failure_from_attributes,
)
from orchard.models.usage import Completion, Embeddings, ModelInfo, RetryNotice, Usage
from orchard.models.worker_process import (
    AttemptRequest,
    WorkerCallFailed,
    model_worker,
    worker_default,
)

log = logging.getLogger(__name__)

Message = dict[str, Any]
RetryCallback = Callable[[RetryNotice], None]
UsageCallback = Callable[[Usage], None]
T = TypeVar("T")

TIMEOUT_SECONDS_PER_1K_PROMPT_TOKENS = 1.0
EMBEDDING_BATCH = 128


def estimate_tokens(text: str) -> int:
    """Return a cheap estimate of the tokens in `text` (about four characters each)."""
    return (len(text) + 3) // 4


def request_timeout(base_seconds: float, prompt_tokens: int) -> float:
    """Return the timeout of one request: the base plus a little per thousand prompt tokens."""
    return base_seconds + TIMEOUT_SECONDS_PER_1K_PROMPT_TOKENS * max(prompt_tokens, 0) / 1000


class ModelCallError(ModelError):
    """A model call failed for good; `failure` says how, `attempts` how often it was tried."""

    def __init__(self, message: str, failure: Failure, attempts: int) -> None:
        super().__init__(message)
        self.failure = failure
        self.attempts = attempts


class ModelClient:
    """Calls models for every part of Orchard; one instance per event loop."""

    def __init__(
        self,
        settings: Settings,
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        worker_process: bool | None = None,
    ) -> None:
        self.settings = settings
        self.worker_process = worker_process  # None: the process-wide default (worker_default)
        self.policy = BackoffPolicy.from_settings(settings.retry)
        self._rng = rng or random.Random()
        self._clock = clock
        self._sleep = sleep
        self._breakers: dict[str, CircuitBreaker] = {}
        self._limits: dict[str, asyncio.Semaphore] = {}
        self._info: dict[str, ModelInfo] = {}
        self._json_mode: dict[str, bool] = {}

    # -- facts about models

    def breaker(self, model: str) -> CircuitBreaker:
        """Return the circuit breaker of `model` (one per model, made on first use)."""
        if model not in self._breakers:
            retry = self.settings.retry
            self._breakers[model] = CircuitBreaker(
                retry.breaker_failures, retry.breaker_cooldown_seconds, self._clock
            )
        return self._breakers[model]

    def model_info(self, model: str) -> ModelInfo:
        """Return litellm's facts about `model`, or defaults (said in `known`) when it has none."""
        if model not in self._info:
            litellm = load_litellm()
            try:
                raw = litellm.get_model_info(model)
            except Exception as exc:  # litellm raises plain Exception for unmapped models
                log.info("no model info for %s (%s); using defaults", model, exc)
                raw = None
            self._info[model] = ModelInfo.from_litellm(model, raw)
        return self._info[model]

    def supports_json_mode(self, model: str) -> bool:
        """Return whether `model`'s provider takes `response_format` (JSON mode), per litellm."""
        if model not in self._json_mode:
            litellm = load_litellm()
            try:
                name, provider, _key, _base = litellm.get_llm_provider(model)
                params = litellm.get_supported_openai_params(
                    model=name, custom_llm_provider=provider
                )
            except Exception as exc:  # litellm raises plain Exception for unknown providers
                log.info("no parameter facts for %s (%s); no JSON mode", model, exc)
                params = None
            self._json_mode[model] = bool(params) and "response_format" in params
        return self._json_mode[model]

    def count_tokens(self, model: str, content: str | Sequence[Message]) -> int:
        """Count the tokens of a text or a message list as `model` would see them."""
        litellm = load_litellm()
        if isinstance(content, str):
            return int(litellm.token_counter(model=model, text=content))
        return int(litellm.token_counter(model=model, messages=list(content)))

    def token_counter(self, model: str) -> Callable[[str | Sequence[Message]], int]:
        """Return a `count_tokens(text or messages)` callable bound to `model`."""
        return lambda content: self.count_tokens(model, content)

    # -- calls

    async def complete(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        stream: bool = True,
        on_progress: ProgressCallback | None = None,
        on_retry: RetryCallback | None = None,
        on_usage: UsageCallback | None = None,
        max_tokens: int | None = None,
        timeout_seconds: float | None = None,
        prompt_tokens: int | None = None,
        response_format: Mapping[str, Any] | None = None,
    ) -> Completion:
        """Ask `model` for a reply, retrying transient failures; raise ModelError for good ones.

        `on_progress` gets an estimate of the reply's tokens so far (characters / 4: counting
        every chunk exactly would cost the event loop more than the stream) and the new text;
        the usage record holds the provider's numbers. Pass `prompt_tokens` when the caller has
        counted them. Each attempt has an overall deadline and a reply-size cap (`bounds`).
        `response_format` (e.g. JSON mode) is passed on; check `supports_json_mode` first.
        """
        await load_litellm_async()
        started = self._clock()
        if prompt_tokens is None:
            prompt_tokens = await asyncio.to_thread(self.count_tokens, model, messages)
        bounds = self.bounds(model, prompt_tokens, max_tokens, timeout_seconds)
        options = self._options(self.settings.model(model), bounds.read_timeout)
        if max_tokens is not None:
            options["max_tokens"] = max_tokens
        if response_format is not None:
            options["response_format"] = dict(response_format)

        call = AttemptRequest(model, list(messages), options, bounds, stream)
        progress = on_caller_loop(on_progress)
        in_worker = self.worker_process if self.worker_process is not None else worker_default()

        async def attempt() -> tuple[str, str | None, Any]:
            if in_worker:
                return await model_worker().call(call, on_progress)
            return await on_model_loop(run_attempt(call, progress))

        (text, finish, raw_usage), attempts, waited = await self._with_retries(
            model, attempt, on_retry
        )
        usage = self._usage(
            model, raw_usage, prompt_tokens, text, self._clock() - started, attempts, waited
        )
        if on_usage is not None:
            on_usage(usage)
        return Completion(text=text, model=model, finish_reason=finish, usage=usage)

    def bounds(
        self,
        model: str,
        prompt_tokens: int,
        max_tokens: int | None = None,
        timeout_seconds: float | None = None,
    ) -> CallBounds:
        """Return the read timeout, overall deadline and reply-size cap of one call to `model`."""
        base = timeout_seconds or self.settings.retry.timeout_seconds
        return call_bounds(
            self.settings.limits,
            request_timeout(base, prompt_tokens),
            self.model_info(model).max_output_tokens,
            max_tokens,
        )

    async def embed(
        self, model: str, texts: Sequence[str], *, on_usage: UsageCallback | None = None
    ) -> Embeddings:
        """Return embedding vectors for `texts` (batched, retried like completions)."""
        litellm = await load_litellm_async()
        started = self._clock()
        options = self._options(self.settings.model(model), self.settings.retry.timeout_seconds)
        vectors: list[tuple[float, ...]] = []
        tokens = attempts = 0
        waited = 0.0
        for first in range(0, len(texts), EMBEDDING_BATCH):
            batch = list(texts[first : first + EMBEDDING_BATCH])

            async def attempt(batch: list[str] = batch) -> Any:
                return await on_model_loop(litellm.aembedding(model=model, input=batch, **options))

            response, tries, slept = await self._with_retries(model, attempt, None)
            items = sorted(response.data, key=lambda item: _get(item, "index", 0))
            vectors.extend(tuple(float(x) for x in _get(item, "embedding", [])) for item in items)
            tokens += int(_get(response.usage, "prompt_tokens", 0) or 0) if response.usage else 0
            attempts += tries
            waited += slept
        info = self.model_info(model)
        usage = Usage(
            model=model,
            prompt_tokens=tokens,
            cost_usd=info.cost(tokens, 0),
            latency_seconds=self._clock() - started,
            attempts=attempts,
            waited_seconds=waited,
            cost_known=info.known,
        )
        if on_usage is not None:
            on_usage(usage)
        return Embeddings(vectors=tuple(vectors), model=model, usage=usage)

    # -- the retry loop

    async def _with_retries(
        self,
        model: str,
        attempt: Callable[[], Awaitable[T]],
        on_retry: RetryCallback | None,
    ) -> tuple[T, int, float]:
        breaker = self.breaker(model)
        attempts = 0
        waited = 0.0
        while True:
            async with self._limit(model):
                if not breaker.allow():
                    raise ModelUnavailable(breaker.describe_open(model))
                attempts += 1
                try:
                    result = await attempt()
                except asyncio.CancelledError:
                    breaker.release_trial()
                    raise
                except Exception as exc:  # every provider error is classified below
                    failure = self._classify(exc)
                else:
                    breaker.record_success()
                    return result, attempts, waited
            if failure.trips_breaker:
                breaker.record_failure(failure.describe(model).removeprefix(f"{model}: "))
            else:
                breaker.release_trial()
            wait = self.policy.next_wait(attempts, failure, waited, self._rng)
            if wait is None:
                raise ModelCallError(_final_message(model, failure, attempts), failure, attempts)
            log.info("%s failed (%s); retry %d in %.2f s", model, failure.kind, attempts, wait)
            if on_retry is not None:
                on_retry(RetryNotice(model, attempts, wait, failure.describe(model)))
            await self._sleep(wait)
            waited += wait

    def _classify(self, error: Exception) -> Failure:
        if isinstance(error, WorkerCallFailed):  # classified in the worker, where it happened
            return error.failure
        status, headers = failure_from_attributes(error)
        return classify(error, status, headers)

    def _limit(self, model: str) -> asyncio.Semaphore:
        if model not in self._limits:
            self._limits[model] = asyncio.Semaphore(self.settings.model(model).max_parallel)
        return self._limits[model]

    def _options(self, entry: ModelSettings, timeout: float) -> dict[str, Any]:
        options: dict[str, Any] = {
            "timeout": timeout,
            "num_retries": 0,
            "max_retries": 0,
            "drop_params": True,
        }
        if entry.api_base:
            options["api_base"] = entry.api_base
        if entry.api_key_env:
            key = os.environ.get(entry.api_key_env)
            if not key:
                raise ModelError(
                    f"{entry.model}: the environment variable {entry.api_key_env} is not set"
                    " (it should hold the API key)"
                )
            options["api_key"] = key
        if entry.temperature is not None:
            options["temperature"] = entry.temperature
        return options

    def _usage(
        self,
        model: str,
        raw: Any,
        prompt_estimate: int,
        text: str,
        latency: float,
        attempts: int,
        waited: float,
    ) -> Usage:
        info = self.model_info(model)
        prompt = int(_get(raw, "prompt_tokens", 0) or 0) if raw else 0
        completion = int(_get(raw, "completion_tokens", 0) or 0) if raw else 0
        reported = raw is not None and (prompt or completion) > 0
        if not reported:
            prompt, completion = prompt_estimate, self.count_tokens(model, text) if text else 0
        cached = 0
        if raw:
            details = _get(raw, "prompt_tokens_details", None)
            from_details = _get(details, "cached_tokens", 0) if details else 0
            cached = int(from_details or _get(raw, "cache_read_input_tokens", 0) or 0)
        return Usage(
            model=model,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cached_tokens=cached,
            cost_usd=info.cost(prompt, completion, cached),
            latency_seconds=latency,
            attempts=attempts,
            waited_seconds=waited,
            cost_known=info.known,
            tokens_reported=reported,
        )


def _final_message(model: str, failure: Failure, attempts: int) -> str:
    tries = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
    return failure.describe(model) + tries
