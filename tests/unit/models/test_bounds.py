"""Call bounds and the failures they raise: deadlines from output size and a floor rate, the
reply-size cap, unreachable providers read from an error's cause chain, and the breaker's word."""

from __future__ import annotations

import random

from orchard.config import LimitSettings
from orchard.errors import ReplyDeadlineExceeded, ReplyTooLarge
from orchard.models.bounds import CHARS_PER_TOKEN, call_bounds
from orchard.models.retry import (
    UNREACHABLE_ATTEMPTS,
    BackoffPolicy,
    CircuitBreaker,
    FailureKind,
    classify,
)


def wrapped(inner: BaseException, outer_name: str = "InternalServerError") -> BaseException:
    """`inner` raised inside a generic provider error, as litellm wraps transport errors."""
    outer_type = type(outer_name, (Exception,), {})
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer_type("OpenAIException - Connection error.") from exc
    except Exception as outer:
        return outer
    raise AssertionError("unreachable")


class ConnectorError(OSError):
    """Stands in for aiohttp's ClientConnectorError, which carries host and port."""

    host = "10.1.2.3"
    port = 8443


ConnectorError.__name__ = "ClientConnectorError"


def test_the_deadline_is_the_timeout_plus_the_expected_output_at_the_floor_rate() -> None:
    limits = LimitSettings(min_tokens_per_second=10.0, reply_size_factor=4.0)
    bounds = call_bounds(limits, read_timeout=120.0, max_output_tokens=4096, max_tokens=None)
    assert bounds.deadline_seconds == 120.0 + 409.6
    assert bounds.max_reply_chars == 4096 * CHARS_PER_TOKEN * 4
    smaller = call_bounds(limits, read_timeout=120.0, max_output_tokens=4096, max_tokens=100)
    assert smaller.deadline_seconds == 130.0
    assert smaller.max_reply_chars == bounds.max_reply_chars  # the cap follows the model


def test_own_bound_errors_are_classified_timeout_and_never_retried_when_too_large() -> None:
    deadline = classify(ReplyDeadlineExceeded("the reply took longer than its deadline"))
    assert deadline.kind is FailureKind.TIMEOUT and deadline.retryable
    too_large = classify(ReplyTooLarge("the reply passed 70,000 characters"))
    assert too_large.kind is FailureKind.REPLY_TOO_LARGE
    assert not too_large.retryable and too_large.trips_breaker


def test_a_refusal_deep_in_the_cause_chain_is_unreachable_with_host_and_port() -> None:
    inner = ConnectorError("Cannot connect")
    inner.__cause__ = ConnectionRefusedError(111, "Connect call failed")
    failure = classify(wrapped(inner), status=500)

    assert failure.kind is FailureKind.UNREACHABLE
    assert failure.detail == "connection refused (10.1.2.3:8443)"
    assert failure.status is None  # the 500 was litellm's wrapper, not the provider
    assert "connection refused (10.1.2.3:8443)" in failure.describe("openai/x")


def test_a_name_that_does_not_resolve_is_said_so() -> None:
    import socket

    failure = classify(wrapped(socket.gaierror(-2, "Name or service not known")))
    assert failure.kind is FailureKind.UNREACHABLE
    assert failure.detail == "host name not resolved"


def test_unreachable_gets_one_quick_retry_whatever_max_attempts_says() -> None:
    failure = classify(wrapped(ConnectionRefusedError(111, "refused")))
    policy = BackoffPolicy(max_attempts=6)
    rng = random.Random(1)
    assert policy.next_wait(1, failure, 0.0, rng) is not None
    assert policy.next_wait(UNREACHABLE_ATTEMPTS, failure, 0.0, rng) is None


def test_an_open_breaker_names_the_last_failure() -> None:
    breaker = CircuitBreaker(2, 30.0, lambda: 100.0)
    breaker.record_failure("the provider had a server error (HTTP 500)")
    breaker.record_failure("cannot reach the provider: connection refused (127.0.0.1:9)")

    message = breaker.describe_open("openai/x")

    assert not breaker.allow()
    assert message.startswith("openai/x: paused after 2 failures in a row")
    assert "connection refused (127.0.0.1:9)" in message and "30 s" in message
    breaker.record_success()
    assert breaker.last_failure == ""
