"""The local model server, proven through litellm's real HTTP path (no mock_response).

litellm's own retries are off here (`num_retries=0`, `max_retries=0`) so every fault is seen.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from orchard.models.retry import Failure, FailureKind, classify, failure_from_attributes
from tests.support.model_server import (
    EMBEDDING_DIMENSIONS,
    ModelServer,
    RecordedRequest,
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

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
litellm = pytest.importorskip("litellm")
litellm.suppress_debug_info = True

MESSAGES = [{"role": "user", "content": "say hello please"}]


def call_options(server: ModelServer, **extra: Any) -> dict[str, Any]:
    return {
        "api_base": server.api_base,
        "api_key": "sk-test",
        "num_retries": 0,
        "max_retries": 0,
        **extra,
    }


def test_plain_completion_returns_scripted_text_and_usage(model_server: ModelServer) -> None:
    model_server.script("gpt-test", reply("hello there", prompt_tokens=11, completion_tokens=2))

    response = litellm.completion(
        model="openai/gpt-test", messages=MESSAGES, **call_options(model_server)
    )

    assert response.choices[0].message.content == "hello there"
    assert response.choices[0].finish_reason == "stop"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (11, 2)
    recorded = model_server.requests[-1]
    assert recorded.model == "gpt-test"
    assert recorded.messages == MESSAGES
    assert recorded.stream is False
    assert recorded.headers["authorization"] == "Bearer sk-test"


def test_unscripted_model_gets_the_default_reply_with_word_count_usage(
    model_server: ModelServer,
) -> None:
    response = litellm.completion(
        model="openai/anything", messages=MESSAGES, **call_options(model_server)
    )

    assert response.choices[0].message.content == "OK"
    # three words plus three per message
    assert response.usage.prompt_tokens == 6


def test_cached_tokens_reach_litellm_usage(model_server: ModelServer) -> None:
    model_server.script("gpt-test", reply("x", prompt_tokens=100, cached_tokens=80))

    response = litellm.completion(
        model="openai/gpt-test", messages=MESSAGES, **call_options(model_server)
    )

    assert response.usage.prompt_tokens_details.cached_tokens == 80


def test_streaming_yields_chunks_in_order_and_usage_when_asked(model_server: ModelServer) -> None:
    text = "streamed reply arriving in several small pieces"
    model_server.script("gpt-test", reply(text, chunk_chars=5, completion_tokens=7))

    stream = litellm.completion(
        model="openai/gpt-test",
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        **call_options(model_server),
    )
    pieces: list[str] = []
    usages = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if getattr(chunk, "usage", None):
            usages.append(chunk.usage)

    assert "".join(pieces) == text
    assert len(pieces) >= len(text) // 5
    assert usages and usages[-1].completion_tokens == 7
    assert model_server.requests[-1].stream is True


async def test_async_streaming_through_acompletion(model_server: ModelServer) -> None:
    model_server.script("gpt-test", reply("async pieces of text", chunk_chars=3))

    stream = await litellm.acompletion(
        model="openai/gpt-test", messages=MESSAGES, stream=True, **call_options(model_server)
    )
    text = ""
    async for chunk in stream:
        text += chunk.choices[0].delta.content or ""

    assert text == "async pieces of text"


def test_responder_answers_from_the_prompt(model_server: ModelServer) -> None:
    def echo(request: RecordedRequest) -> str:
        return request.prompt_text.upper()

    model_server.set_default(echo, model="echo")

    response = litellm.completion(
        model="openai/echo", messages=MESSAGES, **call_options(model_server)
    )

    assert response.choices[0].message.content == "SAY HELLO PLEASE"


def test_scripted_steps_are_used_once_in_order(model_server: ModelServer) -> None:
    model_server.script("openai/gpt-test", "first", "second")

    answers = [
        litellm.completion(model="openai/gpt-test", messages=MESSAGES, **call_options(model_server))
        .choices[0]
        .message.content
        for _ in range(3)
    ]

    assert answers == ["first", "second", "OK"]
    assert model_server.pending("gpt-test") == 0


def test_embeddings_are_deterministic_vectors_of_fixed_size(model_server: ModelServer) -> None:
    response = litellm.embedding(
        model="openai/embed-test", input=["alpha", "beta"], **call_options(model_server)
    )

    vectors = [item["embedding"] for item in response.data]
    assert [len(v) for v in vectors] == [EMBEDDING_DIMENSIONS] * 2
    assert vectors[0] == pytest.approx(embed_text("alpha"), abs=1e-6)
    assert vectors[0] != pytest.approx(vectors[1], abs=1e-3)
    assert response.usage.prompt_tokens == 2


def test_model_list_names_scripted_models(model_server: ModelServer) -> None:
    model_server.script("planner-test", "plan")

    listing = httpx.get(f"{model_server.api_base}/models").json()

    assert {"gpt-test", "planner-test"} <= {entry["id"] for entry in listing["data"]}


def classified(error: BaseException) -> Failure:
    """Classify a raised error the way Orchard's model client does (status, headers, class)."""
    status, headers = failure_from_attributes(error)
    return classify(error, status, headers)


def failure_of(call: Callable[[], object]) -> Failure:
    """Run `call`, which must raise, and return Orchard's classification of what it raised."""
    with pytest.raises(Exception) as caught:
        call()
    return classified(caught.value)


def completion(server: ModelServer, **extra: Any) -> Callable[[], object]:
    return lambda: litellm.completion(
        model="openai/gpt-test", messages=MESSAGES, **call_options(server, **extra)
    )


def test_429_is_a_rate_limit_with_its_retry_after(model_server: ModelServer) -> None:
    model_server.script("gpt-test", fault_429(retry_after=7))

    failure = failure_of(completion(model_server))

    assert failure.kind is FailureKind.RATE_LIMIT
    assert failure.retryable
    assert failure.status == 429
    assert failure.retry_after == 7
    assert len(model_server.requests) == 1


def test_500_is_a_retryable_server_failure(model_server: ModelServer) -> None:
    model_server.script("gpt-test", fault_500())

    failure = failure_of(completion(model_server))

    assert failure.kind is FailureKind.SERVER
    assert failure.retryable
    assert failure.status == 500
    assert model_server.requests[-1].outcome == "fault-500"


def test_401_and_400_are_final_failures_of_their_own_kinds(model_server: ModelServer) -> None:
    model_server.script("gpt-test", fault_401(), fault_400())

    unauthorised = failure_of(completion(model_server))
    refused = failure_of(completion(model_server))

    assert unauthorised.kind is FailureKind.AUTHENTICATION
    assert refused.kind is FailureKind.BAD_REQUEST
    assert not unauthorised.retryable
    assert not refused.retryable


def test_slow_reply_times_out_and_the_server_sees_the_hang_up(model_server: ModelServer) -> None:
    model_server.script("gpt-test", slow(30))

    failure = failure_of(completion(model_server, timeout=0.3))

    assert failure.kind is FailureKind.TIMEOUT
    assert model_server.wait_for_disconnect(timeout=5)
    assert model_server.requests[-1].outcome == "client-closed"


def test_dropped_connection_is_a_retryable_transport_failure(model_server: ModelServer) -> None:
    model_server.script("gpt-test", drop_connection())

    failure = failure_of(completion(model_server))

    # litellm reports a dropped socket as a connection error or as a 5xx, by release; both retry
    assert failure.kind in (FailureKind.CONNECTION, FailureKind.SERVER)
    assert failure.retryable
    assert model_server.requests[-1].outcome == "dropped"


def test_stream_dropped_mid_way_fails_after_the_first_chunks(model_server: ModelServer) -> None:
    model_server.script("gpt-test", stream_then_drop("abcdefgh" * 4, after_chunks=2))
    received = ""

    def consume() -> None:
        nonlocal received
        stream = litellm.completion(
            model="openai/gpt-test", messages=MESSAGES, stream=True, **call_options(model_server)
        )
        for chunk in stream:
            received += chunk.choices[0].delta.content or ""

    failure = failure_of(consume)

    assert received == "abcdefgh" * 2
    assert failure.retryable
    assert failure.kind in (FailureKind.CONNECTION, FailureKind.SERVER)
    assert model_server.requests[-1].outcome == "dropped-mid-stream"


async def test_cancelled_stream_closes_the_connection(model_server: ModelServer) -> None:
    model_server.script("gpt-test", reply("word " * 200, chunk_chars=5, chunk_delay=0.05))
    first_chunk = asyncio.Event()

    async def consume() -> None:
        stream = await litellm.acompletion(
            model="openai/gpt-test", messages=MESSAGES, stream=True, **call_options(model_server)
        )
        try:
            async for _chunk in stream:
                first_chunk.set()
        finally:
            await stream.aclose()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_chunk.wait(), timeout=60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await asyncio.to_thread(model_server.wait_for_disconnect, 5)


def test_concurrent_requests_are_served_in_parallel(model_server: ModelServer) -> None:
    model_server.set_default(slow(0.3, "done"), model="gpt-test")
    results: list[str] = []

    def call() -> None:
        response = litellm.completion(
            model="openai/gpt-test", messages=MESSAGES, **call_options(model_server)
        )
        results.append(response.choices[0].message.content)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["done"] * 3
    assert model_server.peak_in_flight("gpt-test") == 3


def test_stopping_the_server_wakes_a_slow_handler() -> None:
    server = ModelServer().start()
    server.script("gpt-test", slow(60))
    failures: list[Exception] = []

    def call() -> None:
        try:
            httpx.post(
                f"{server.api_base}/chat/completions",
                json={"model": "gpt-test", "messages": MESSAGES},
                timeout=30,
            )
        except httpx.HTTPError as exc:
            failures.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    assert server.wait_for(lambda s: len(s.requests) == 1)

    server.stop()
    caller.join(timeout=10)

    assert not caller.is_alive()
    assert failures and isinstance(failures[0], httpx.RemoteProtocolError)
