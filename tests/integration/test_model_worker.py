"""Model calls in the model worker process, against the local OpenAI-compatible server: streaming,
retries and rate limits classified across the pipe, cancellation closing the HTTP stream, and a
worker killed mid-stream failing its call plainly and coming back for the next one."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from orchard.config import ModelSettings, RetrySettings, Settings
from orchard.models.client import ModelCallError, ModelClient
from orchard.models.retry import BreakerState, FailureKind
from orchard.models.usage import RetryNotice
from orchard.models.worker_process import ModelWorker, model_worker
from tests.support.model_server import (
    ModelServer,
    fault_401,
    fault_429,
    fault_500,
    reply,
    slow,
)

# One loop, so one worker process, for the whole module: each start imports litellm (seconds).
pytestmark = pytest.mark.asyncio(loop_scope="module")
MESSAGES = [{"role": "user", "content": "write a haiku about quinces"}]


def make_client(server: ModelServer) -> ModelClient:
    models = (ModelSettings(model="openai/gpt-test", api_base=server.api_base),)
    retry = RetrySettings(initial_delay_seconds=0.01, max_wait_seconds=10.0)
    return ModelClient(Settings(models=models, retry=retry), worker_process=True)


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def worker() -> AsyncIterator[ModelWorker]:
    running = model_worker()
    yield running
    await running.close()


async def test_a_streamed_call_runs_in_the_worker_and_streams_its_deltas_back(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    text = "quinces ripen late, smell of honey"
    model_server.script(
        "gpt-test",
        reply(text, prompt_tokens=30, completion_tokens=12, chunk_chars=7, chunk_delay=0.3),
    )
    progress: list[tuple[int, str]] = []

    done = await make_client(model_server).complete(
        "openai/gpt-test", MESSAGES, on_progress=lambda *seen: progress.append(seen)
    )

    assert worker.pid is not None and worker.pid != os.getpid()
    assert done.text == text and done.finish_reason == "stop"
    assert len(progress) >= 2  # five chunks, well apart: the first goes on at once
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert "".join(piece for _, piece in progress) == text
    assert progress[-1][0] == (len(text) + 3) // 4
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (30, 12)
    assert done.usage.tokens_reported


async def test_a_fast_stream_reaches_the_server_in_fewer_deltas_than_chunks(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    text = "".join(f"w{n:03d} " for n in range(200))  # litellm ends a stream of repeats
    model_server.script("gpt-test", reply(text, chunk_chars=5))
    progress: list[tuple[int, str]] = []

    done = await make_client(model_server).complete(
        "openai/gpt-test", MESSAGES, on_progress=lambda *seen: progress.append(seen)
    )

    assert done.text == text == "".join(piece for _, piece in progress)
    assert 1 <= len(progress) < 200  # 200 chunks streamed
    assert progress[-1][0] == (len(text) + 3) // 4


async def test_a_plain_call_runs_in_the_worker(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    model_server.script("gpt-test", reply("all at once"))

    done = await make_client(model_server).complete("openai/gpt-test", MESSAGES, stream=False)

    assert done.text == "all at once"
    assert model_server.requests[-1].stream is False
    assert worker.pid is not None


async def test_a_rate_limit_in_the_worker_is_retried_after_its_retry_after(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    model_server.script("gpt-test", fault_429(retry_after=1), fault_500(), reply("third time"))
    notices: list[RetryNotice] = []

    done = await make_client(model_server).complete(
        "openai/gpt-test", MESSAGES, on_retry=notices.append
    )

    assert done.text == "third time" and done.usage.attempts == 3
    assert notices[0].wait_seconds >= 1.0
    assert [r.outcome for r in model_server.requests] == ["fault-429", "fault-500", "answered"]


async def test_a_fatal_error_in_the_worker_keeps_its_kind_and_is_not_retried(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    model_server.script("gpt-test", fault_401(), reply("never asked for"))

    with pytest.raises(ModelCallError) as caught:
        await make_client(model_server).complete("openai/gpt-test", MESSAGES)

    assert caught.value.failure.kind is FailureKind.AUTHENTICATION
    assert caught.value.failure.status == 401
    assert caught.value.attempts == 1 and len(model_server.requests) == 1


async def test_cancelling_a_call_closes_its_stream_in_the_worker(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    model_server.script(
        "gpt-test", reply("quince " * 400, chunk_chars=5, chunk_delay=0.05), reply("next")
    )
    client = make_client(model_server)
    first = asyncio.Event()

    call = asyncio.create_task(
        client.complete("openai/gpt-test", MESSAGES, on_progress=lambda *_: first.set())
    )
    await asyncio.wait_for(first.wait(), timeout=60)
    call.cancel()

    with pytest.raises(asyncio.CancelledError):
        await call
    assert await asyncio.to_thread(model_server.wait_for_disconnect, 5)
    assert client.breaker("openai/gpt-test").state is BreakerState.CLOSED
    pid = worker.pid
    assert (await client.complete("openai/gpt-test", MESSAGES)).text == "next"
    assert worker.pid == pid  # the worker lived on


async def test_a_worker_killed_mid_stream_fails_the_call_plainly_and_restarts(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    model_server.script(
        "gpt-test", reply("quince " * 400, chunk_chars=5, chunk_delay=0.05), reply("revived")
    )
    client = make_client(model_server)
    first = asyncio.Event()
    call = asyncio.create_task(
        client.complete("openai/gpt-test", MESSAGES, on_progress=lambda *_: first.set())
    )
    await asyncio.wait_for(first.wait(), timeout=60)
    killed = worker.pid
    assert killed is not None

    os.kill(killed, signal.SIGKILL)

    with pytest.raises(ModelCallError) as caught:
        await asyncio.wait_for(call, timeout=30)
    assert "worker" in str(caught.value) and f"signal {signal.SIGKILL.value}" in str(caught.value)
    assert (await client.complete("openai/gpt-test", MESSAGES)).text == "revived"
    assert worker.pid not in (None, killed)


async def test_closing_the_worker_ends_its_process_and_its_calls(
    model_server: ModelServer, worker: ModelWorker
) -> None:
    model_server.script("gpt-test", slow(60))
    client = make_client(model_server)
    call: asyncio.Task[Any] = asyncio.create_task(client.complete("openai/gpt-test", MESSAGES))
    assert await asyncio.to_thread(model_server.wait_for, lambda s: bool(s.requests), 60)
    process = worker.process
    assert process is not None

    await worker.close()

    assert process.returncode is not None
    with pytest.raises(ModelCallError):
        await asyncio.wait_for(call, timeout=30)
    assert await asyncio.to_thread(model_server.wait_for_disconnect, 5)
