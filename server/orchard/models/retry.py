"""When a model call is retried, how long to wait, and when a model is given a rest.

Pure policy: it classifies failures by exception class name, status code and headers handed
in by `client.py`, and must never import litellm or do I/O (clocks and randomness are injected).
"""

from __future__ import annotations

import email.utils
import enum
import logging
import random
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from orchard.config import RetrySettings

log = logging.getLogger(__name__)

MAX_SINGLE_DELAY_SECONDS = 30.0
RETRY_AFTER_CEILING_SECONDS = 600.0


class FailureKind(enum.StrEnum):
    """What went wrong with a model call, as far as retrying is concerned."""

    RATE_LIMIT = "rate-limit"
    SERVER = "server"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    AUTHENTICATION = "authentication"
    PERMISSION = "permission"
    BAD_REQUEST = "bad-request"
    CONTEXT_WINDOW = "context-window"
    CONTENT_POLICY = "content-policy"
    NOT_FOUND = "not-found"
    UNREACHABLE = "unreachable"
    REPLY_TOO_LARGE = "reply-too-large"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FailureRule:
    """How one kind of failure is treated and explained."""

    retryable: bool
    trips_breaker: bool
    text: str
    max_attempts: int | None = None  # a tighter bound than retry.max_attempts, if any


# A provider that refuses connections or whose name does not resolve is down or misnamed:
# one quick retry covers a restart in progress; more would only delay the plain answer.
UNREACHABLE_ATTEMPTS = 2

RULES: Mapping[FailureKind, FailureRule] = {
    FailureKind.RATE_LIMIT: FailureRule(True, False, "the provider is rate limiting requests"),
    FailureKind.SERVER: FailureRule(True, True, "the provider had a server error"),
    FailureKind.TIMEOUT: FailureRule(True, True, "the provider did not answer in time"),
    FailureKind.CONNECTION: FailureRule(True, True, "the connection to the provider failed"),
    FailureKind.AUTHENTICATION: FailureRule(
        False, False, "the provider refused the API key (check the variable named by api_key_env)"
    ),
    FailureKind.PERMISSION: FailureRule(False, False, "the API key may not use this model"),
    FailureKind.BAD_REQUEST: FailureRule(False, False, "the provider refused the request"),
    FailureKind.CONTEXT_WINDOW: FailureRule(
        False, False, "the prompt is larger than the model's context window"
    ),
    FailureKind.CONTENT_POLICY: FailureRule(
        False, False, "the provider's content policy refused the request"
    ),
    FailureKind.NOT_FOUND: FailureRule(
        False, False, "the provider does not know this model (check the model name and api_base)"
    ),
    FailureKind.UNREACHABLE: FailureRule(
        True, True, "cannot reach the provider", max_attempts=UNREACHABLE_ATTEMPTS
    ),
    FailureKind.REPLY_TOO_LARGE: FailureRule(
        False, True, "the reply grew far beyond the model's output limit (a broken provider?)"
    ),
    FailureKind.UNKNOWN: FailureRule(False, False, "the model call failed"),
}

# Errors raised by Orchard's own client when a call breaks its bounds (see client.py).
OWN_CLASS_TABLE: tuple[tuple[str, FailureKind], ...] = (
    ("ReplyTooLarge", FailureKind.REPLY_TOO_LARGE),
    ("ReplyDeadlineExceeded", FailureKind.TIMEOUT),
)

# Exception class names anywhere in an error's cause chain that mean no connection was made:
# litellm wraps these in a generic server or connection error, so the chain must be read.
UNREACHABLE_CAUSES: Mapping[str, str] = {
    "ConnectionRefusedError": "connection refused",
    "gaierror": "host name not resolved",
    "ClientConnectorDNSError": "host name not resolved",
    "ClientConnectorError": "connection failed",
    "ConnectError": "connection failed",
}

# Exception class names (litellm's, openai's, httpx's, aiohttp's, the standard library's),
# most specific first: the first name found in the exception's class hierarchy wins.
CLASS_TABLE: tuple[tuple[str, FailureKind], ...] = (
    ("ContextWindowExceededError", FailureKind.CONTEXT_WINDOW),
    ("ContentPolicyViolationError", FailureKind.CONTENT_POLICY),
    ("MidStreamFallbackError", FailureKind.CONNECTION),
    ("RateLimitError", FailureKind.RATE_LIMIT),
    ("AuthenticationError", FailureKind.AUTHENTICATION),
    ("PermissionDeniedError", FailureKind.PERMISSION),
    ("NotFoundError", FailureKind.NOT_FOUND),
    ("UnprocessableEntityError", FailureKind.BAD_REQUEST),
    ("UnsupportedParamsError", FailureKind.BAD_REQUEST),
    ("BadRequestError", FailureKind.BAD_REQUEST),
    ("Timeout", FailureKind.TIMEOUT),
    ("APITimeoutError", FailureKind.TIMEOUT),
    ("TimeoutException", FailureKind.TIMEOUT),
    ("TimeoutError", FailureKind.TIMEOUT),
    ("ServiceUnavailableError", FailureKind.SERVER),
    ("InternalServerError", FailureKind.SERVER),
    ("BadGatewayError", FailureKind.SERVER),
    ("APIConnectionError", FailureKind.CONNECTION),
    ("RemoteProtocolError", FailureKind.CONNECTION),
    ("TransportError", FailureKind.CONNECTION),
    ("ClientConnectionError", FailureKind.CONNECTION),
    ("ClientPayloadError", FailureKind.CONNECTION),
    ("ConnectionError", FailureKind.CONNECTION),
)


@dataclass(frozen=True, slots=True)
class Failure:
    """One classified failure: its kind, whether to retry, and a sentence for the user."""

    kind: FailureKind
    retryable: bool
    trips_breaker: bool
    text: str
    detail: str = ""
    status: int | None = None
    retry_after: float | None = None
    max_attempts: int | None = None

    def describe(self, model: str) -> str:
        """Return a one-line message for users naming the model."""
        status = f" (HTTP {self.status})" if self.status else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{model}: {self.text}{status}{detail}"


def kind_from_status(status: int | None) -> FailureKind:
    """Return the failure kind an HTTP status implies."""
    if status is None:
        return FailureKind.UNKNOWN
    if status == 429:
        return FailureKind.RATE_LIMIT
    if status in (408, 504):
        return FailureKind.TIMEOUT
    if status >= 500:
        return FailureKind.SERVER
    return {
        401: FailureKind.AUTHENTICATION,
        403: FailureKind.PERMISSION,
        404: FailureKind.NOT_FOUND,
    }.get(status, FailureKind.BAD_REQUEST if 400 <= status < 500 else FailureKind.UNKNOWN)


def kind_from_class_names(names: list[str]) -> FailureKind | None:
    """Return the kind of the first table entry found among `names` (an exception's MRO)."""
    for name, kind in CLASS_TABLE:
        if name in names:
            return kind
    return None


def classify(
    error: BaseException,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Failure:
    """Classify `error` (status and headers as client.py read them) into a Failure."""
    names = [cls.__name__ for cls in type(error).__mro__]
    kind = next((k for name, k in OWN_CLASS_TABLE if name in names), None)
    unreachable = None if kind is not None else unreachable_detail(error)
    if unreachable is not None:
        kind = FailureKind.UNREACHABLE
    if kind is None:
        kind = kind_from_class_names(names)
    if kind is None or (kind is FailureKind.UNKNOWN and status is not None):
        kind = kind_from_status(status)
    rule = RULES[kind]
    wait = retry_after_seconds(headers or {}) if kind in (FailureKind.RATE_LIMIT,) else None
    if wait is None and kind is FailureKind.SERVER:
        wait = retry_after_seconds(headers or {})
    return Failure(
        kind=kind,
        retryable=rule.retryable,
        trips_breaker=rule.trips_breaker,
        text=rule.text,
        detail=unreachable or _short(str(error)),
        status=None if unreachable else status,
        retry_after=wait,
        max_attempts=rule.max_attempts,
    )


def cause_chain(error: BaseException, limit: int = 16) -> list[BaseException]:
    """Return `error` and the exceptions it was raised from or while handling, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < limit and all(c is not current for c in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def unreachable_detail(error: BaseException) -> str | None:
    """Say why no connection was made ("connection refused by host:port"), or None if one was."""
    reason = None
    endpoint = None
    for link in cause_chain(error):
        for cls in type(link).__mro__:
            found = UNREACHABLE_CAUSES.get(cls.__name__)
            if found and (reason is None or reason == "connection failed"):
                reason = found
        endpoint = _endpoint_of(link) or endpoint
    if reason is None:
        return None
    return f"{reason} ({endpoint})" if endpoint else reason


def _endpoint_of(error: BaseException) -> str | None:
    """Return "host:port" from what transport errors carry (aiohttp's host/port, httpx's URL)."""
    host, port = getattr(error, "host", None), getattr(error, "port", None)
    if isinstance(host, str) and host and isinstance(port, int):
        return f"{host}:{port}"
    try:
        url = getattr(getattr(error, "request", None), "url", None)
    except RuntimeError:  # httpx raises when an error has no request attached
        return None
    if url is None:
        return None
    parsed = urllib.parse.urlsplit(str(url))
    if not parsed.hostname:
        return None
    default = 443 if parsed.scheme == "https" else 80
    return f"{parsed.hostname}:{parsed.port or default}"


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Read `retry-after-ms` or `Retry-After` (seconds or an HTTP date); None when absent."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return _bounded(float(lowered["retry-after-ms"]) / 1000.0)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    try:
        return _bounded(float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError):
        return None
    return _bounded(when - (time.time() if now is None else now))


def _bounded(seconds: float) -> float:
    return min(max(seconds, 0.0), RETRY_AFTER_CEILING_SECONDS)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """Exponential backoff with jitter, bounded by attempts and by total waiting per call."""

    max_attempts: int = 6
    max_wait_seconds: float = 60.0
    initial_delay_seconds: float = 0.5
    max_delay_seconds: float = MAX_SINGLE_DELAY_SECONDS

    @classmethod
    def from_settings(cls, settings: RetrySettings) -> BackoffPolicy:
        """Build the policy from the `retry` settings."""
        return cls(
            max_attempts=settings.max_attempts,
            max_wait_seconds=settings.max_wait_seconds,
            initial_delay_seconds=settings.initial_delay_seconds,
        )

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Return the wait after failed attempt number `attempt` (1-based)."""
        if retry_after is not None:
            # Honour the provider's ask, with a little jitter so agents do not stampede back.
            return retry_after + rng.uniform(0.0, min(1.0, 0.1 * retry_after))
        base = min(self.initial_delay_seconds * 2 ** (attempt - 1), self.max_delay_seconds)
        return base / 2 + rng.uniform(0.0, base / 2)

    def next_wait(
        self, attempt: int, failure: Failure, waited: float, rng: random.Random
    ) -> float | None:
        """Return how long to wait before another attempt, or None to give up now."""
        if not failure.retryable or attempt >= self.max_attempts:
            return None
        if failure.max_attempts is not None and attempt >= failure.max_attempts:
            return None
        wait = self.delay(attempt, failure.retry_after, rng)
        remaining = self.max_wait_seconds - waited
        if wait > remaining:
            if failure.retry_after is not None:
                return None
            wait = remaining
        return max(wait, 0.0)


class BreakerState(enum.StrEnum):
    """Where a model's circuit breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Fails calls to one model fast after repeated failures, until a cool-down has passed.

    After the cool-down one trial call is let through (half-open): success closes the breaker,
    failure opens it again for another cool-down.
    """

    def __init__(
        self,
        failures_to_open: int,
        cooldown_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures_to_open = failures_to_open
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self.last_failure = ""

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.cooldown_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def describe_open(self, model: str) -> str:
        """Say why calls to `model` fail fast: what failed, how often, and for how long."""
        last = f"; the last failure: {self.last_failure}" if self.last_failure else ""
        return (
            f"{model}: paused after {self._failures} failures in a row{last};"
            f" calls fail fast for another {self.remaining_cooldown():.0f} s"
        )

    def remaining_cooldown(self) -> float:
        """Return the seconds until an open breaker lets a trial call through."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.cooldown_seconds - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """Return whether a call may go ahead now (claims the single half-open trial)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
            self._trial_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        """Note a call that worked: the breaker closes."""
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False
        self.last_failure = ""

    def record_failure(self, what: str = "") -> None:
        """Note a failure that counts against the model (`what` says how); may open the breaker."""
        self._failures += 1
        self.last_failure = what or self.last_failure
        if self._trial_in_flight or self._failures >= self.failures_to_open:
            if self._opened_at is None or self._trial_in_flight:
                log.warning(
                    "circuit breaker opened after %d failures (last: %s)",
                    self._failures,
                    self.last_failure or "unknown",
                )
            self._opened_at = self._clock()
        self._trial_in_flight = False

    def release_trial(self) -> None:
        """Give back a half-open trial that ended without a verdict (e.g. cancelled)."""
        self._trial_in_flight = False


def failure_from_attributes(error: BaseException) -> tuple[int | None, dict[str, str]]:
    """Read the status code and response headers litellm/openai errors carry, if any."""
    status: Any = getattr(error, "status_code", None)
    response = getattr(error, "response", None)
    if status is None and response is not None:
        status = getattr(response, "status_code", None)
    headers: dict[str, str] = {}
    for source in (
        getattr(response, "headers", None),
        getattr(error, "litellm_response_headers", None),
        getattr(error, "headers", None),
    ):
        items = getattr(source, "items", None)
        if callable(items):
            headers.update({str(k).lower(): str(v) for k, v in items()})
    return (int(status) if isinstance(status, int) else None), headers
