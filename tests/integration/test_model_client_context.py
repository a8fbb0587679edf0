"""Prompt assembly and history summarisation wired to ModelClient and the local model server."""

from __future__ import annotations

from typing import Any

import pytest

from orchard.config import ModelSettings, RetrySettings, Settings
from orchard.context.chunks import PromptBudget, assemble_prompt
from orchard.context.sections import FileText, Message, PromptParts, SectionKind, message_text
from orchard.context.summary import SUMMARY_PREFIX, HistorySummarizer, summary_prompt
from orchard.models.client import ModelClient
from tests.support.model_server import ModelServer, fault_401, fault_500, reply

MAIN = "openai/gpt-4o-mini"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


def make_client(server: ModelServer, *names: str) -> ModelClient:
    models = tuple(ModelSettings(model=n, api_base=server.api_base) for n in names)
    retry = RetrySettings(max_attempts=1, initial_delay_seconds=0.01)
    return ModelClient(Settings(models=models, retry=retry))


def summarizer_for(client: ModelClient, models: list[str], count: Any) -> HistorySummarizer:
    async def complete(model: str, messages: list[Message]) -> str:
        return (await client.complete(model, messages, stream=False)).text

    return HistorySummarizer(complete, models, count, input_limit=2000)


def long_history(turns: int) -> tuple[Message, ...]:
    out: list[Message] = []
    for i in range(turns):
        out.append({"role": "user", "content": f"Step {i}: please change function f{i} " * 8})
        out.append({"role": "assistant", "content": f"Done with f{i}; I edited src/m{i}.py " * 8})
    return tuple(out)


def parts(history: tuple[Message, ...] = ()) -> PromptParts:
    def render(budget: int) -> str:
        lines = [f"src/m{i}.py:\n  def f{i}(x): ..." for i in range(300)]
        return "\n".join(lines[: max(budget // 12, 0)])

    return PromptParts(
        system="You are an expert engineer. Edit code with SEARCH/REPLACE blocks.",
        request="Make every f return x + 1.",
        readonly_files=(FileText("docs/guide.md", "Guide text. " * 200),),
        repo_map=render,
        memory_hits=("f7 was renamed last week",),
        history=history,
        editable_files=(FileText("src/m1.py", "def f1(x):\n    return x\n"),),
        reminder="Only SEARCH/REPLACE blocks.",
    )


@pytest.mark.parametrize("total", [900, 1300, 2000, 4000])
async def test_budget_holds_to_the_token_with_the_models_tokenizer(
    model_server: ModelServer, total: int
) -> None:
    client = make_client(model_server, MAIN)
    count = client.token_counter(MAIN)
    budget = PromptBudget(total=total, repo_map=600, history=800, readonly_files=1500, memory=100)

    prompt = await assemble_prompt(parts(long_history(6)), budget, count)
    done = await client.complete(MAIN, prompt.messages)

    assert prompt.tokens == client.count_tokens(MAIN, prompt.messages) <= total
    assert model_server.requests[-1].messages == list(prompt.messages)
    assert done.text == "OK"


async def test_long_history_is_summarised_by_the_weak_model_with_fallback(
    model_server: ModelServer,
) -> None:
    model_server.script("weak", fault_401())
    model_server.set_default(
        reply("I asked you to change f0 to f39; you edited src/m*.py."), model="strong"
    )
    client = make_client(model_server, MAIN, "openai/weak", "openai/strong")
    count = client.token_counter(MAIN)
    summarizer = summarizer_for(client, ["openai/weak", "openai/strong"], count)
    budget = PromptBudget.for_window(8192, max_output_tokens=1024)

    prompt = await assemble_prompt(
        parts(long_history(40)), budget, count, summarize=summarizer.summarize
    )

    models = [r.model for r in model_server.requests]
    assert models[0] == "weak" and models.count("weak") == 1
    assert 2 <= len(models) <= summarizer.max_calls and set(models[1:]) == {"strong"}
    sent = model_server.requests_for("strong")[0].messages
    assert sent[0]["content"] == summary_prompt()
    assert "Step 0" in sent[1]["content"]
    texts = [message_text(m) for m in prompt.messages]
    assert any(t.startswith(SUMMARY_PREFIX) and "you edited" in t for t in texts)
    assert prompt.section_tokens[SectionKind.HISTORY] <= budget.history
    assert "history summarised" in prompt.report()
    assert summarizer.failures and summarizer.failures[0].startswith("openai/weak")


async def test_summary_falls_back_to_truncation_when_every_model_fails(
    model_server: ModelServer,
) -> None:
    model_server.set_default(fault_500(), model="weak")
    model_server.set_default(fault_500(), model="strong")
    client = make_client(model_server, MAIN, "openai/weak", "openai/strong")
    count = client.token_counter(MAIN)
    summarizer = summarizer_for(client, ["openai/weak", "openai/strong"], count)
    budget = PromptBudget(total=6000, repo_map=500, history=600, readonly_files=2000, memory=100)

    prompt = await assemble_prompt(
        parts(long_history(60)), budget, count, summarize=summarizer.summarize
    )

    assert len(model_server.requests) <= summarizer.max_calls
    assert prompt.section_tokens[SectionKind.HISTORY] <= 600
    texts = [message_text(m) for m in prompt.messages]
    assert not any(t.startswith(SUMMARY_PREFIX) for t in texts)
    assert any("Step 59" in t for t in texts)


async def test_cache_marks_reach_the_provider(model_server: ModelServer) -> None:
    client = make_client(model_server, MAIN)
    count = client.token_counter(MAIN)
    budget = PromptBudget.for_window(8192)

    prompt = await assemble_prompt(parts(), budget, count, cache_marks=True)
    await client.complete(MAIN, prompt.messages)

    received = model_server.requests[-1].messages
    marked = [
        m
        for m in received
        if isinstance(m["content"], list) and "cache_control" in m["content"][-1]
    ]
    assert marked and marked[0]["role"] == "system"
