"""Bounded model calls through litellm's real HTTP path: a dripping stream meets its deadline,
a runaway reply meets its size cap, and an unreachable provider is named with host and port."""

from __future__ import annotations

import asyncio
import socket

import pytest

from orchard.config import LimitSettings, ModelSettings, RetrySettings, Settings
from orchard.errors import ModelUnavailable
from orchard.models.client import ModelCallError, ModelClient
from orchard.models.retry import UNREACHABLE_ATTEMPTS, FailureKind
from orchard.models.usage import RetryNotice
from tests.support.model_server import ModelServer, drip, reply

MESSAGES = [{"role": "user", "content": "write a haiku about pears"}]
MODEL = "openai/gpt-test"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_client(api_base: str, *, attempts: int = 2, **limits: float) -> ModelClient:
    settings = Settings(
        models=(ModelSettings(model=MODEL, api_base=api_base),),
        retry=RetrySettings(
            max_attempts=attempts,
            initial_delay_seconds=0.01,
            timeout_seconds=1.0,
            breaker_failures=2,
        ),
        limits=LimitSettings(**limits),
    )
    return ModelClient(settings)


async def test_a_dripping_stream_is_ended_at_its_deadline_and_retried_per_the_table(
    model_server: ModelServer,
) -> None:
    # 4,096 expected tokens at 2,000 tokens/s plus the 1 s timeout: a deadline of about 3 s,
    # while the drip (one character every 0.2 s, each well within the read timeout) needs 60 s.
    model_server.set_default(drip("x" * 300, every=0.2), model="gpt-test")
    client = make_client(model_server.api_base, min_tokens_per_second=2000.0)
    bounds = client.bounds(MODEL, 10)
    retries: list[RetryNotice] = []

    with pytest.raises(ModelCallError) as caught:
        await client.complete(MODEL, MESSAGES, prompt_tokens=10, on_retry=retries.append)

    assert caught.value.failure.kind is FailureKind.TIMEOUT
    assert caught.value.attempts == 2 and len(retries) == 1
    assert f"deadline of {bounds.deadline_seconds:.0f} s" in str(caught.value)
    assert len(model_server.requests_for("gpt-test")) == 2
    assert await asyncio.to_thread(model_server.wait_for, lambda s: len(s.disconnects()) == 2, 30)


async def test_a_reply_far_beyond_the_output_limit_is_aborted_and_never_retried(
    model_server: ModelServer,
) -> None:
    huge = "prose " * 1_700_000  # 10 MB against a cap of 4 x 4,096 tokens x 4 characters
    model_server.set_default(reply(huge, chunk_chars=16_384, chunk_delay=0.01), model="gpt-test")
    client = make_client(model_server.api_base, attempts=5)
    cap = client.bounds(MODEL, 10).max_reply_chars

    with pytest.raises(ModelCallError) as caught:
        await client.complete(MODEL, MESSAGES, prompt_tokens=10)

    assert caught.value.failure.kind is FailureKind.REPLY_TOO_LARGE
    assert not caught.value.failure.retryable and caught.value.attempts == 1
    assert f"cap {cap:,} characters" in str(caught.value)
    assert len(model_server.requests_for("gpt-test")) == 1
    assert await asyncio.to_thread(model_server.wait_for_disconnect, 30)


async def test_a_reply_within_the_cap_and_deadline_is_untouched(model_server: ModelServer) -> None:
    text = "pears " * 2000
    model_server.set_default(reply(text, chunk_chars=64), model="gpt-test")
    client = make_client(model_server.api_base)

    done = await client.complete(MODEL, MESSAGES, prompt_tokens=10)

    assert done.text == text and done.usage.attempts == 1


async def test_a_refused_connection_is_named_with_host_and_port_after_one_quick_retry() -> None:
    port = closed_port()
    client = make_client(f"http://127.0.0.1:{port}/v1", attempts=6)

    with pytest.raises(ModelCallError) as caught:
        await client.complete(MODEL, MESSAGES, prompt_tokens=10)

    failure = caught.value.failure
    assert failure.kind is FailureKind.UNREACHABLE
    assert caught.value.attempts == UNREACHABLE_ATTEMPTS
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "connection refused" in str(caught.value)


async def test_an_open_breaker_says_what_failed(model_server: ModelServer) -> None:
    port = closed_port()
    client = make_client(f"http://127.0.0.1:{port}/v1", attempts=2)
    with pytest.raises(ModelCallError):
        await client.complete(MODEL, MESSAGES, prompt_tokens=10)

    with pytest.raises(ModelUnavailable) as caught:
        await client.complete(MODEL, MESSAGES, prompt_tokens=10)

    assert "paused after 2 failures" in str(caught.value)
    assert f"127.0.0.1:{port}" in str(caught.value)


async def test_a_host_name_that_does_not_resolve_is_named() -> None:
    client = make_client("http://orchard-test-host.invalid:8123/v1", attempts=2)

    with pytest.raises(ModelCallError) as caught:
        await asyncio.wait_for(client.complete(MODEL, MESSAGES, prompt_tokens=10), 60)

    assert caught.value.failure.kind is FailureKind.UNREACHABLE
    assert "host name not resolved" in str(caught.value)
    assert "orchard-test-host.invalid:8123" in str(caught.value)
