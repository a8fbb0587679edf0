"""The retry policy, the failure table and the circuit breaker, as pure functions."""

from __future__ import annotations

import email.utils
import random

import pytest

from orchard.config import RetrySettings
from orchard.models.retry import (
    CLASS_TABLE,
    RULES,
    BackoffPolicy,
    BreakerState,
    CircuitBreaker,
    FailureKind,
    classify,
    failure_from_attributes,
    retry_after_seconds,
)


def error_named(name: str, *bases: type[BaseException]) -> BaseException:
    """An exception whose class is called `name` (how litellm's classes are recognised)."""
    return type(name, bases or (Exception,), {})("provider said no")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("name", "kind", "retryable"),
    [
        ("RateLimitError", FailureKind.RATE_LIMIT, True),
        ("InternalServerError", FailureKind.SERVER, True),
        ("ServiceUnavailableError", FailureKind.SERVER, True),
        ("Timeout", FailureKind.TIMEOUT, True),
        ("APIConnectionError", FailureKind.CONNECTION, True),
        ("MidStreamFallbackError", FailureKind.CONNECTION, True),
        ("AuthenticationError", FailureKind.AUTHENTICATION, False),
        ("BadRequestError", FailureKind.BAD_REQUEST, False),
        ("ContextWindowExceededError", FailureKind.CONTEXT_WINDOW, False),
        ("ContentPolicyViolationError", FailureKind.CONTENT_POLICY, False),
        ("NotFoundError", FailureKind.NOT_FOUND, False),
    ],
)
def test_exception_classes_map_to_kinds(name: str, kind: FailureKind, retryable: bool) -> None:
    failure = classify(error_named(name))

    assert failure.kind is kind
    assert failure.retryable is retryable


def test_most_specific_class_in_the_hierarchy_wins() -> None:
    bad_request = type("BadRequestError", (Exception,), {})
    context = type("ContextWindowExceededError", (bad_request,), {})

    assert classify(context("too long")).kind is FailureKind.CONTEXT_WINDOW


def test_unknown_class_falls_back_to_the_status_code() -> None:
    assert classify(error_named("APIError"), status=503).kind is FailureKind.SERVER
    assert classify(error_named("APIError"), status=429).kind is FailureKind.RATE_LIMIT
    assert classify(error_named("APIError"), status=401).kind is FailureKind.AUTHENTICATION
    assert classify(error_named("APIError"), status=422).kind is FailureKind.BAD_REQUEST
    assert classify(error_named("Weird")).kind is FailureKind.UNKNOWN


def test_builtin_timeouts_and_connection_errors_are_retryable() -> None:
    assert classify(TimeoutError()).kind is FailureKind.TIMEOUT
    assert classify(ConnectionResetError()).kind is FailureKind.CONNECTION


def test_every_kind_has_a_rule_and_every_table_entry_a_kind() -> None:
    assert set(RULES) == set(FailureKind)
    assert all(kind in RULES for _, kind in CLASS_TABLE)


def test_rate_limits_do_not_trip_the_breaker_but_server_errors_do() -> None:
    assert not classify(error_named("RateLimitError")).trips_breaker
    assert classify(error_named("InternalServerError")).trips_breaker
    assert not classify(error_named("AuthenticationError")).trips_breaker


def test_user_text_names_the_model_status_and_detail() -> None:
    failure = classify(error_named("AuthenticationError"), status=401)

    text = failure.describe("openai/gpt-4o")

    assert text.startswith("openai/gpt-4o: the provider refused the API key")
    assert "(HTTP 401)" in text and "provider said no" in text


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "soon"}, None),
        ({}, None),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "99999"}, 600.0),
    ],
)
def test_retry_after_is_read_from_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


def test_retry_after_as_an_http_date() -> None:
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 12, usegmt=True)

    assert retry_after_seconds({"Retry-After": header}, now=now) == pytest.approx(12.0)


def test_rate_limit_classification_carries_retry_after() -> None:
    failure = classify(error_named("RateLimitError"), 429, {"retry-after": "3"})

    assert failure.retry_after == 3.0


def test_status_and_headers_are_read_from_error_attributes() -> None:
    class Response:
        status_code = 429
        headers = {"Retry-After": "2"}

    error = error_named("RateLimitError")
    error.response = Response()  # type: ignore[attr-defined]
    error.litellm_response_headers = {"x-request-id": "abc"}  # type: ignore[attr-defined]

    status, headers = failure_from_attributes(error)

    assert status == 429
    assert headers == {"retry-after": "2", "x-request-id": "abc"}


def test_backoff_doubles_with_jitter_inside_bounds() -> None:
    policy = BackoffPolicy(initial_delay_seconds=1.0, max_delay_seconds=8.0)
    rng = random.Random(7)

    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [policy.delay(attempt, None, rng) for _ in range(50)]
        assert all(base / 2 <= d <= base for d in delays)
        assert len(set(delays)) > 1


def test_retry_after_is_honoured_with_small_jitter() -> None:
    policy = BackoffPolicy(initial_delay_seconds=0.01)

    delays = [policy.delay(1, 5.0, random.Random(seed)) for seed in range(20)]

    assert all(5.0 <= d <= 5.5 for d in delays)


def test_no_retry_for_fatal_errors_or_after_the_last_attempt() -> None:
    policy = BackoffPolicy(max_attempts=3, initial_delay_seconds=0.1)
    rng = random.Random(1)
    server = classify(error_named("InternalServerError"))

    assert policy.next_wait(1, classify(error_named("AuthenticationError")), 0.0, rng) is None
    assert policy.next_wait(2, server, 0.0, rng) is not None
    assert policy.next_wait(3, server, 0.0, rng) is None


def test_total_wait_is_bounded_per_call() -> None:
    policy = BackoffPolicy(max_attempts=10, max_wait_seconds=2.0, initial_delay_seconds=1.5)
    rng = random.Random(3)
    server = classify(error_named("InternalServerError"))
    waited = 0.0
    attempt = 0
    while (wait := policy.next_wait(attempt + 1, server, waited, rng)) is not None and wait > 0:
        attempt += 1
        waited += wait

    assert waited == pytest.approx(2.0)


def test_retry_after_longer_than_the_budget_gives_up() -> None:
    policy = BackoffPolicy(max_wait_seconds=10.0)
    limited = classify(error_named("RateLimitError"), 429, {"retry-after": "30"})

    assert policy.next_wait(1, limited, 0.0, random.Random(0)) is None


def test_policy_reads_the_retry_settings() -> None:
    settings = RetrySettings(max_attempts=2, max_wait_seconds=5, initial_delay_seconds=0.2)

    policy = BackoffPolicy.from_settings(settings)

    assert (policy.max_attempts, policy.max_wait_seconds, policy.initial_delay_seconds) == (
        2,
        5,
        0.2,
    )


def test_breaker_opens_after_consecutive_failures_and_fails_fast() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=3, cooldown_seconds=10, clock=clock)

    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure()

    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    clock.now += 4
    assert breaker.remaining_cooldown() == pytest.approx(6)


def test_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(failures_to_open=2, cooldown_seconds=10, clock=FakeClock())

    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()

    assert breaker.state is BreakerState.CLOSED


def test_half_open_lets_exactly_one_trial_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=1, cooldown_seconds=10, clock=clock)
    breaker.record_failure()
    clock.now += 10

    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_failed_trial_reopens_for_a_full_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=5, cooldown_seconds=10, clock=clock)
    for _ in range(5):
        breaker.record_failure()
    clock.now += 11
    assert breaker.allow()

    breaker.record_failure()

    assert breaker.state is BreakerState.OPEN
    assert breaker.remaining_cooldown() == pytest.approx(10)


def test_released_trial_can_be_claimed_again() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures_to_open=1, cooldown_seconds=1, clock=clock)
    breaker.record_failure()
    clock.now += 2
    assert breaker.allow()

    breaker.release_trial()

    assert breaker.allow()
