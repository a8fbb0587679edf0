"""History summarisation: recursive halving, fallback models, bounds, truncation last."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orchard.context.sections import message_text
from orchard.context.summary import (
    SUMMARY_PREFIX,
    HistorySummarizer,
    summary_prompt,
    transcript,
    truncate_history,
    truncate_text,
)
from orchard.errors import ModelError

Message = dict[str, Any]


def count(content: str | Sequence[Message]) -> int:
    if isinstance(content, str):
        return len(content.split())
    return sum(len(message_text(m).split()) + 4 for m in content) + 3


def history(turns: int, size: int = 30) -> list[Message]:
    out: list[Message] = []
    for i in range(turns):
        out.append({"role": "user", "content": f"question {i} " + "word " * size})
        out.append({"role": "assistant", "content": f"answer {i} " + "word " * size})
    return out


class Summariser:
    """A stand-in model: records every call and answers, fails, or rambles on request."""

    def __init__(self, answer: str = "we renamed foo", fail: Sequence[str] = ()) -> None:
        self.answer = answer
        self.fail = set(fail)
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, model: str, messages: list[Message]) -> str:
        self.calls.append((model, count(message_text(messages[-1]))))
        if model in self.fail:
            raise ModelError(f"{model}: the provider had a server error")
        return self.answer


async def test_short_history_is_returned_untouched_without_a_call() -> None:
    model = Summariser()
    summarizer = HistorySummarizer(model, ["weak"], count)

    result = await summarizer.summarize(history(2), 10_000)

    assert result == history(2)
    assert model.calls == []


async def test_long_history_is_summarised_keeping_the_newest_turns() -> None:
    model = Summariser()
    summarizer = HistorySummarizer(model, ["weak"], count)

    result = await summarizer.summarize(history(10), 200)

    assert count(result) <= 200
    assert message_text(result[0]).startswith(SUMMARY_PREFIX)
    assert "we renamed foo" in message_text(result[0])
    assert message_text(result[-1]).startswith("answer 9")
    assert len(model.calls) == 1


async def test_fallback_model_is_used_when_the_first_fails() -> None:
    model = Summariser(fail=["weak"])
    summarizer = HistorySummarizer(model, ["weak", "strong"], count)

    result = await summarizer.summarize(history(10), 200)

    assert [m for m, _ in model.calls] == ["weak", "strong"]
    assert "we renamed foo" in message_text(result[0])
    assert summarizer.failures and summarizer.failures[0].startswith("weak:")


async def test_a_failed_model_is_not_asked_again_in_the_same_run() -> None:
    model = Summariser(fail=["weak"])
    summarizer = HistorySummarizer(model, ["weak", "strong"], count, input_limit=300, max_calls=20)

    await summarizer.summarize(history(20), 150)

    asked = [m for m, _ in model.calls]
    assert asked.count("weak") == 1 and asked.count("strong") > 1


async def test_truncation_is_the_last_resort_when_every_model_fails() -> None:
    model = Summariser(fail=["weak", "strong"])
    summarizer = HistorySummarizer(model, ["weak", "strong"], count)

    result = await summarizer.summarize(history(10), 200)

    assert count(result) <= 200
    assert all(SUMMARY_PREFIX not in message_text(m) for m in result)
    assert message_text(result[-1]).startswith("answer 9")


async def test_history_too_long_for_the_summariser_is_halved_recursively() -> None:
    model = Summariser()
    summarizer = HistorySummarizer(model, ["weak"], count, input_limit=300, max_calls=20)

    result = await summarizer.summarize(history(20), 150)

    assert count(result) <= 150
    assert len(model.calls) > 2
    assert all(tokens <= 300 for _, tokens in model.calls)


async def test_summary_calls_are_bounded() -> None:
    model = Summariser()
    summarizer = HistorySummarizer(model, ["weak"], count, input_limit=100, max_calls=3)

    result = await summarizer.summarize(history(40), 150)

    assert len(model.calls) <= 3
    assert count(result) <= 150


async def test_rambling_summary_is_cut_to_fit() -> None:
    model = Summariser(answer="blah " * 2000)
    summarizer = HistorySummarizer(model, ["weak"], count)

    result = await summarizer.summarize(history(10), 200)

    assert count(result) <= 200
    assert "blah" in message_text(result[0])


def test_truncated_history_starts_on_a_user_message_with_a_note() -> None:
    result = truncate_history(history(10), 130, count)

    assert count(result) <= 130
    assert "earlier messages were left out" in message_text(result[0])
    assert result[2]["role"] == "user"
    assert message_text(result[-1]).startswith("answer 9")


def test_truncation_to_nothing_when_no_message_fits() -> None:
    assert truncate_history(history(2), 5, count) == []


def test_text_is_truncated_on_a_word_boundary_within_the_target() -> None:
    text = "alpha beta gamma delta epsilon zeta eta theta"

    cut = truncate_text(text, 3, count)

    assert cut == "alpha beta gamma"


def test_transcript_and_prompt_are_readable() -> None:
    text = transcript(history(1, size=1))

    assert text.startswith("# USER\nquestion 0 word")
    assert "# ASSISTANT\nanswer 0 word" in text
    assert "summarise" in summary_prompt()
