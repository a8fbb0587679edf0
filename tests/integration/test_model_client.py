"""ModelClient against the local OpenAI-compatible server, through litellm's real HTTP path."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from orchard.config import ModelSettings, RetrySettings, Settings
from orchard.errors import ModelError, ModelUnavailable
from orchard.models.client import ModelCallError, ModelClient, load_litellm
from orchard.models.retry import BreakerState, FailureKind
from orchard.models.usage import RetryNotice, Usage
from tests.support.model_server import (
    ModelServer,
    drop_connection,
    embed_text,
    fault_400,
    fault_401,
    fault_429,
    fault_500,
    reply,
    slow,
    stream_then_drop,
)

MESSAGES = [{"role": "user", "content": "write a haiku about pears"}]
FAST_RETRY = {"initial_delay_seconds": 0.01, "max_wait_seconds": 10.0}


class FakeClock:
    """A clock tests move by hand, for breaker cool-downs."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_client(
    server: ModelServer,
    *names: str,
    clock: FakeClock | None = None,
    max_parallel: int = 4,
    **retry: Any,
) -> ModelClient:
    models = tuple(
        ModelSettings(model=name, api_base=server.api_base, max_parallel=max_parallel)
        for name in names or ("openai/gpt-test",)
    )
    settings = Settings(models=models, retry=RetrySettings(**{**FAST_RETRY, **retry}))
    if clock is None:
        return ModelClient(settings)
    return ModelClient(settings, clock=clock)


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


async def test_streamed_completion_reports_progress_and_usage(model_server: ModelServer) -> None:
    text = "pears ripen slowly in the autumn orchard light"
    model_server.script("gpt-test", reply(text, prompt_tokens=40, completion_tokens=9))
    client = make_client(model_server)
    progress: list[tuple[int, str]] = []
    usages: list[Usage] = []

    done = await client.complete(
        "openai/gpt-test",
        MESSAGES,
        on_progress=lambda tokens, piece: progress.append((tokens, piece)),
        on_usage=usages.append,
    )

    assert done.text == text
    assert done.finish_reason == "stop"
    assert len(progress) > 3
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert "".join(piece for _, piece in progress) == text  # each call brings the new text
    assert progress[-1][0] == (len(text) + 3) // 4
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (40, 9)
    assert done.usage.tokens_reported and done.usage.attempts == 1
    assert usages == [done.usage]
    assert model_server.requests[-1].body["stream_options"] == {"include_usage": True}


async def test_plain_completion_without_streaming(model_server: ModelServer) -> None:
    model_server.script("gpt-test", reply("whole reply"))
    client = make_client(model_server)

    done = await client.complete("openai/gpt-test", MESSAGES, stream=False)

    assert done.text == "whole reply"
    assert model_server.requests[-1].stream is False


async def test_cost_comes_from_litellm_model_info_with_cached_tokens(
    model_server: ModelServer,
) -> None:
    model_server.script(
        "gpt-4o-mini", reply("x", prompt_tokens=1000, completion_tokens=100, cached_tokens=400)
    )
    client = make_client(model_server, "openai/gpt-4o-mini")
    info = client.model_info("openai/gpt-4o-mini")

    done = await client.complete("openai/gpt-4o-mini", MESSAGES)

    expected = (
        600 * info.input_cost_per_token
        + 400 * (info.cache_read_cost_per_token or 0)
        + 100 * info.output_cost_per_token
    )
    assert info.known and info.context_window == 128000
    assert done.usage.cached_tokens == 400
    assert done.usage.cost_usd == pytest.approx(expected)
    assert done.usage.cost_known


async def test_unknown_model_gets_default_window_and_zero_cost(model_server: ModelServer) -> None:
    client = make_client(model_server)

    done = await client.complete("openai/gpt-test", MESSAGES)
    info = client.model_info("openai/gpt-test")

    assert (info.known, info.context_window) == (False, 8192)
    assert done.usage.cost_usd == 0.0 and not done.usage.cost_known


async def test_token_count_matches_litellm(model_server: ModelServer) -> None:
    client = make_client(model_server)
    count = client.token_counter("openai/gpt-test")
    litellm = load_litellm()

    assert count(MESSAGES) == litellm.token_counter(model="openai/gpt-test", messages=MESSAGES)
    assert count("one two three") == litellm.token_counter(model="gpt-test", text="one two three")


async def test_rate_limit_honours_retry_after(model_server: ModelServer) -> None:
    model_server.script("gpt-test", fault_429(retry_after=1), reply("after the wait"))
    client = make_client(model_server)
    notices: list[RetryNotice] = []

    done = await client.complete("openai/gpt-test", MESSAGES, on_retry=notices.append)

    assert done.text == "after the wait"
    assert len(notices) == 1 and notices[0].wait_seconds >= 1.0
    assert "rate limiting" in notices[0].reason
    assert done.usage.attempts == 2 and done.usage.waited_seconds >= 1.0
    assert [r.outcome for r in model_server.requests] == ["fault-429", "answered"]


@pytest.mark.parametrize(
    "fault",
    [fault_500(), drop_connection(), stream_then_drop()],
    ids=["500", "dropped-connection", "dropped-mid-stream"],
)
async def test_transient_failures_are_retried_until_the_reply(
    model_server: ModelServer, fault: Any
) -> None:
    model_server.script("gpt-test", fault, reply("second time lucky"))
    client = make_client(model_server)

    done = await client.complete("openai/gpt-test", MESSAGES)

    assert done.text == "second time lucky"
    assert done.usage.attempts == 2
    assert len(model_server.requests) == 2


async def test_slow_reply_times_out_and_is_retried(model_server: ModelServer) -> None:
    model_server.script("gpt-test", slow(30), reply("quick now"))
    client = make_client(model_server)

    done = await client.complete("openai/gpt-test", MESSAGES, timeout_seconds=0.5)

    assert done.text == "quick now"
    assert model_server.requests[0].outcome == "client-closed"


@pytest.mark.parametrize(
    ("fault", "kind"),
    [(fault_401(), FailureKind.AUTHENTICATION), (fault_400(), FailureKind.BAD_REQUEST)],
)
async def test_fatal_errors_are_not_retried(
    model_server: ModelServer, fault: Any, kind: FailureKind
) -> None:
    model_server.script("gpt-test", fault, reply("never asked for"))
    client = make_client(model_server)

    with pytest.raises(ModelCallError) as caught:
        await client.complete("openai/gpt-test", MESSAGES)

    assert caught.value.failure.kind is kind
    assert caught.value.attempts == 1
    assert len(model_server.requests) == 1
    assert str(caught.value).startswith("openai/gpt-test: ")


async def test_attempts_are_bounded(model_server: ModelServer) -> None:
    model_server.set_default(fault_500(), model="gpt-test")
    client = make_client(model_server, max_attempts=3, breaker_failures=10)

    with pytest.raises(ModelCallError) as caught:
        await client.complete("openai/gpt-test", MESSAGES)

    assert len(model_server.requests) == 3
    assert "gave up after 3 attempts" in str(caught.value)


async def test_retry_after_beyond_the_wait_budget_gives_up_at_once(
    model_server: ModelServer,
) -> None:
    model_server.script("gpt-test", fault_429(retry_after=120))
    client = make_client(model_server, max_wait_seconds=5.0)

    with pytest.raises(ModelCallError) as caught:
        await client.complete("openai/gpt-test", MESSAGES)

    assert caught.value.failure.retry_after == 120
    assert len(model_server.requests) == 1


async def test_breaker_opens_fails_fast_then_closes_after_cooldown(
    model_server: ModelServer,
) -> None:
    clock = FakeClock()
    client = make_client(
        model_server, clock=clock, max_attempts=1, breaker_failures=2, breaker_cooldown_seconds=30
    )
    model_server.script("gpt-test", fault_500(), fault_500(), reply("back again"))
    for _ in range(2):
        with pytest.raises(ModelCallError):
            await client.complete("openai/gpt-test", MESSAGES)

    with pytest.raises(ModelUnavailable) as caught:
        await client.complete("openai/gpt-test", MESSAGES)
    assert "fail fast" in str(caught.value)
    assert len(model_server.requests) == 2
    assert client.breaker("openai/gpt-test").state is BreakerState.OPEN

    clock.now += 31
    done = await client.complete("openai/gpt-test", MESSAGES)

    assert done.text == "back again"
    assert client.breaker("openai/gpt-test").state is BreakerState.CLOSED


async def test_failed_trial_call_opens_the_breaker_again(model_server: ModelServer) -> None:
    clock = FakeClock()
    client = make_client(
        model_server, clock=clock, max_attempts=1, breaker_failures=1, breaker_cooldown_seconds=5
    )
    model_server.set_default(fault_500(), model="gpt-test")
    with pytest.raises(ModelCallError):
        await client.complete("openai/gpt-test", MESSAGES)
    clock.now += 6

    with pytest.raises(ModelCallError):
        await client.complete("openai/gpt-test", MESSAGES)

    assert client.breaker("openai/gpt-test").state is BreakerState.OPEN
    with pytest.raises(ModelUnavailable):
        await client.complete("openai/gpt-test", MESSAGES)
    assert len(model_server.requests) == 2


async def test_cancelling_mid_stream_closes_the_http_stream(model_server: ModelServer) -> None:
    model_server.script("gpt-test", reply("pear " * 400, chunk_chars=5, chunk_delay=0.05))
    client = make_client(model_server)
    first = asyncio.Event()

    task = asyncio.create_task(
        client.complete("openai/gpt-test", MESSAGES, on_progress=lambda *_: first.set())
    )
    await asyncio.wait_for(first.wait(), timeout=60)
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(model_server.wait_for_disconnect, 5)
    assert client.breaker("openai/gpt-test").state is BreakerState.CLOSED


async def test_cancelling_before_the_first_byte_closes_the_request(
    model_server: ModelServer,
) -> None:
    model_server.script("gpt-test", slow(60))
    client = make_client(model_server)

    task = asyncio.create_task(client.complete("openai/gpt-test", MESSAGES))
    assert await asyncio.to_thread(model_server.wait_for, lambda s: bool(s.requests), 60)
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(model_server.wait_for_disconnect, 5)


async def test_a_hung_model_never_blocks_another_model(model_server: ModelServer) -> None:
    model_server.set_default(slow(60), model="hung")
    model_server.set_default(reply("fine"), model="healthy")
    client = make_client(model_server, "openai/hung", "openai/healthy", max_parallel=1)

    hung = asyncio.create_task(client.complete("openai/hung", MESSAGES, timeout_seconds=30))
    await asyncio.to_thread(model_server.wait_for, lambda s: bool(s.requests_for("hung")), 60)
    answers = [await client.complete("openai/healthy", MESSAGES) for _ in range(3)]

    assert [a.text for a in answers] == ["fine"] * 3
    assert not hung.done()
    hung.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hung


async def test_an_open_breaker_on_one_model_leaves_the_other_working(
    model_server: ModelServer,
) -> None:
    model_server.set_default(fault_500(), model="broken")
    client = make_client(
        model_server, "openai/broken", "openai/healthy", max_attempts=1, breaker_failures=1
    )

    results = await asyncio.gather(
        client.complete("openai/broken", MESSAGES),
        client.complete("openai/healthy", MESSAGES),
        return_exceptions=True,
    )
    again = await asyncio.gather(
        client.complete("openai/broken", MESSAGES),
        client.complete("openai/healthy", MESSAGES),
        return_exceptions=True,
    )

    assert isinstance(results[0], ModelCallError) and not isinstance(results[1], Exception)
    assert isinstance(again[0], ModelUnavailable) and not isinstance(again[1], Exception)


async def test_max_parallel_limits_calls_in_flight_per_model(model_server: ModelServer) -> None:
    model_server.set_default(slow(0.2, "done"), model="gpt-test")
    client = make_client(model_server, max_parallel=2)

    done = await asyncio.gather(*(client.complete("openai/gpt-test", MESSAGES) for _ in range(5)))

    assert [d.text for d in done] == ["done"] * 5
    assert model_server.peak_in_flight("gpt-test") == 2


async def test_embeddings_come_back_in_order_with_usage(model_server: ModelServer) -> None:
    client = make_client(model_server, "openai/embed-test")
    texts = ["first chunk of code", "second", "third piece"]

    result = await client.embed("openai/embed-test", texts)

    assert len(result.vectors) == 3
    for vector, text in zip(result.vectors, texts, strict=True):
        assert list(vector) == pytest.approx(embed_text(text), abs=1e-6)
    assert result.usage.prompt_tokens == 7


async def test_api_key_is_read_from_the_named_variable(
    model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORCHARD_TEST_KEY", "sk-from-env")
    entry = ModelSettings(
        model="openai/gpt-test",
        api_base=model_server.api_base,
        api_key_env="ORCHARD_TEST_KEY",
        temperature=0.25,
    )
    client = ModelClient(Settings(models=(entry,)))

    await client.complete("openai/gpt-test", MESSAGES)

    request = model_server.requests[-1]
    assert request.headers["authorization"] == "Bearer sk-from-env"
    assert request.body["temperature"] == 0.25


async def test_missing_key_variable_is_reported_without_a_request(
    model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ORCHARD_ABSENT_KEY", raising=False)
    entry = ModelSettings(
        model="openai/gpt-test", api_base=model_server.api_base, api_key_env="ORCHARD_ABSENT_KEY"
    )
    client = ModelClient(Settings(models=(entry,)))

    with pytest.raises(ModelError, match="ORCHARD_ABSENT_KEY"):
        await client.complete("openai/gpt-test", MESSAGES)
    assert model_server.requests == []
