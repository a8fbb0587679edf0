"""Prompt assembly: section order, section budgets, the shrink order, the report, cache marks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from orchard.context.chunks import Prompt, PromptBudget, assemble_prompt, build_prompt
from orchard.context.sections import (
    FileText,
    PromptParts,
    SectionKind,
    fence_for,
    format_files,
    message_text,
)
from orchard.errors import BudgetExceeded

Message = dict[str, Any]


def count(content: str | Sequence[Message]) -> int:
    """A deterministic stand-in for a tokenizer: words, plus 4 per message and 3 per reply."""
    if isinstance(content, str):
        return len(content.split())
    return sum(len(message_text(m).split()) + 4 for m in content) + 3


class MapRenderer:
    """Renders as many map lines as fit the budget it is asked for, and remembers the asks."""

    def __init__(self, lines: int = 200) -> None:
        self.lines = [f"src/mod{i}.py: def function_{i}(a, b)" for i in range(lines)]
        self.asked: list[int] = []

    def __call__(self, budget: int) -> str:
        self.asked.append(budget)
        kept: list[str] = []
        for line in self.lines:
            if count("\n".join([*kept, line])) > budget:
                break
            kept.append(line)
        return "\n".join(kept)


def words(n: int, word: str = "lorem") -> str:
    return " ".join([word] * n)


def history(turns: int, size: int = 20) -> tuple[Message, ...]:
    out: list[Message] = []
    for i in range(turns):
        out.append({"role": "user", "content": f"question {i} " + words(size)})
        out.append({"role": "assistant", "content": f"answer {i} " + words(size)})
    return tuple(out)


def parts(**overrides: Any) -> PromptParts:
    base: dict[str, Any] = {
        "system": "You are a careful coding agent.",
        "request": "Rename foo to bar everywhere.",
        "examples": (
            {"role": "user", "content": "example question"},
            {"role": "assistant", "content": "example answer"},
        ),
        "readonly_files": (FileText("docs/a.md", words(50)), FileText("docs/b.md", words(60))),
        "repo_map": MapRenderer(),
        "memory_hits": ("last time foo broke the build", "bar is used by the CLI"),
        "history": history(3),
        "editable_files": (FileText("src/foo.py", "def foo():\n    return 1\n"),),
        "reminder": "Reply with SEARCH/REPLACE blocks only.",
    }
    return PromptParts(**{**base, **overrides})


def roomy(total: int = 100_000) -> PromptBudget:
    return PromptBudget(total=total, repo_map=500, history=2000, readonly_files=5000, memory=500)


async def build(prompt_parts: PromptParts, budget: PromptBudget, **options: Any) -> Prompt:
    return await assemble_prompt(prompt_parts, budget, count, **options)


async def test_sections_come_in_the_fixed_order() -> None:
    prompt = await build(parts(), roomy())
    texts = [message_text(m) for m in prompt.messages]

    assert prompt.messages[0] == {"role": "system", "content": "You are a careful coding agent."}
    assert texts[1:3] == ["example question", "example answer"]
    order = [
        next(i for i, t in enumerate(texts) if marker in t)
        for marker in ("docs/a.md", "src/mod0.py", "last time foo", "question 0", "src/foo.py")
    ]
    assert order == sorted(order)
    assert texts[-1] == "Rename foo to bar everywhere.\n\nReply with SEARCH/REPLACE blocks only."
    assert prompt.messages[-1]["role"] == "user"


async def test_prompt_within_budget_is_left_whole_and_counted_exactly() -> None:
    prompt = await build(parts(), roomy())

    assert prompt.shrunk == () and prompt.report() == ""
    assert prompt.tokens == count(list(prompt.messages))
    assert prompt.section_tokens[SectionKind.READONLY_FILES] > 0
    assert prompt.section_tokens[SectionKind.MEMORY] > 0


async def test_map_is_rendered_at_its_section_budget() -> None:
    renderer = MapRenderer()

    prompt = await build(parts(repo_map=renderer), roomy())

    assert len(renderer.asked) == 1 and 400 < renderer.asked[0] < 500
    assert 400 < prompt.section_tokens[SectionKind.REPO_MAP] <= 500


async def test_history_over_its_budget_is_summarised() -> None:
    seen: list[int] = []

    async def summarize(messages: Sequence[Message], target: int) -> list[Message]:
        seen.append(target)
        return [{"role": "user", "content": "summary of earlier talk"}]

    budget = PromptBudget(total=100_000, repo_map=500, history=100, readonly_files=5000, memory=500)
    prompt = await build(parts(history=history(10)), budget, summarize=summarize)

    assert seen == [100]
    assert "summary of earlier talk" in [message_text(m) for m in prompt.messages]
    assert "history summarised" in prompt.report()


async def test_history_without_a_summariser_is_truncated_to_its_budget() -> None:
    budget = PromptBudget(total=100_000, repo_map=500, history=120, readonly_files=5000, memory=500)

    prompt = await build(parts(history=history(10)), budget)

    assert prompt.section_tokens[SectionKind.HISTORY] <= 120
    assert "question 9" in " ".join(message_text(m) for m in prompt.messages)
    assert "history truncated" in prompt.report()


async def test_read_only_files_and_memory_beyond_their_budgets_are_dropped() -> None:
    budget = PromptBudget(total=100_000, repo_map=500, history=2000, readonly_files=100, memory=30)

    prompt = await build(parts(), budget)

    assert "docs/b.md" in prompt.report() and "docs/a.md" not in prompt.report()
    assert 0 < prompt.section_tokens[SectionKind.READONLY_FILES] <= 100
    assert 0 < prompt.section_tokens[SectionKind.MEMORY] <= 30


async def test_over_total_history_goes_first() -> None:
    full = await build(parts(history=history(6)), roomy())
    renderer = MapRenderer()

    prompt = await build(parts(history=history(6), repo_map=renderer), roomy(full.tokens - 40))

    assert [step.section for step in prompt.shrunk] == [SectionKind.HISTORY]
    assert len(renderer.asked) == 1
    assert prompt.tokens <= full.tokens - 40


async def test_over_total_the_map_shrinks_after_history_and_before_files() -> None:
    without_history = await build(parts(history=()), roomy())
    renderer = MapRenderer()

    prompt = await build(parts(repo_map=renderer), roomy(without_history.tokens - 60))

    kinds = [step.section for step in prompt.shrunk]
    assert kinds[0] is SectionKind.HISTORY
    assert SectionKind.REPO_MAP in kinds
    assert SectionKind.READONLY_FILES not in kinds
    assert renderer.asked[-1] < renderer.asked[0]
    assert "repo map shrunk" in prompt.report()


async def test_read_only_files_are_dropped_last_newest_first() -> None:
    bare = await build(parts(history=(), repo_map=None, memory_hits=(), readonly_files=()), roomy())

    prompt = await build(parts(), roomy(bare.tokens + 70))

    kinds = [step.section for step in prompt.shrunk]
    assert kinds.index(SectionKind.HISTORY) < kinds.index(SectionKind.REPO_MAP)
    assert kinds.index(SectionKind.REPO_MAP) < kinds.index(SectionKind.READONLY_FILES)
    dropped = [s.detail for s in prompt.shrunk if s.section is SectionKind.READONLY_FILES]
    assert dropped[0] == "docs/b.md"


@pytest.mark.parametrize("total", range(150, 700, 7))
async def test_budget_is_respected_to_the_token(total: int) -> None:
    try:
        prompt = await build(parts(history=history(8)), roomy(total))
    except BudgetExceeded:
        return

    assert prompt.tokens == count(list(prompt.messages))
    assert prompt.tokens <= total


async def test_exact_fit_shrinks_nothing_and_one_token_less_shrinks_something() -> None:
    full = await build(parts(), roomy())

    exact = await build(parts(), roomy(full.tokens))
    tight = await build(parts(), roomy(full.tokens - 1))

    assert exact.shrunk == () and exact.tokens == full.tokens
    assert tight.shrunk and tight.tokens <= full.tokens - 1


async def test_parts_that_cannot_shrink_raise_a_clear_error() -> None:
    huge = parts(editable_files=(FileText("src/big.py", words(5000)),))

    with pytest.raises(BudgetExceeded, match="larger context window"):
        await build(huge, roomy(1000))


async def test_cache_marks_sit_on_the_stable_prefix_only() -> None:
    prompt = await build(parts(), roomy(), cache_marks=True)

    marked = [
        i
        for i, m in enumerate(prompt.messages)
        if isinstance(m["content"], list) and "cache_control" in m["content"][-1]
    ]
    texts = [message_text(m) for m in prompt.messages]
    assert len(marked) == 4
    assert marked[0] == 0
    assert "example answer" in texts[marked[1]]
    assert max(marked) < next(i for i, t in enumerate(texts) if "last time foo" in t)
    assert prompt.tokens == count(list(prompt.messages))


async def test_no_cache_marks_unless_asked() -> None:
    prompt = await build(parts(), roomy())

    assert all(isinstance(m["content"], str) for m in prompt.messages)


def test_budget_for_a_window_keeps_room_for_the_reply() -> None:
    budget = PromptBudget.for_window(128_000, max_output_tokens=16_384, map_tokens=2048)

    assert budget.total == 128_000 - 16_384
    assert budget.repo_map == 2048
    assert budget.history == 8192
    assert budget.readonly_files == budget.total // 3


def test_small_window_budgets_stay_inside_the_window() -> None:
    budget = PromptBudget.for_window(4096, max_output_tokens=4096)

    assert budget.total == 3072
    assert budget.repo_map + budget.history + budget.memory < budget.total


def test_fences_outgrow_backticks_in_the_file() -> None:
    text = "```python\nx = 1\n```\n"

    rendered = format_files([FileText("README.md", text)])

    assert fence_for(text) == "````"
    assert rendered.startswith("README.md\n````\n") and rendered.endswith("\n````")


@pytest.mark.parametrize(
    ("budget", "shrinks"),
    [
        (roomy(), False),
        (PromptBudget(total=260, repo_map=120, history=60, readonly_files=80, memory=20), True),
        (
            PromptBudget(total=180, repo_map=500, history=2000, readonly_files=5000, memory=500),
            True,
        ),
    ],
)
async def test_building_on_a_worker_thread_gives_what_assembling_without_summaries_gives(
    budget: PromptBudget, shrinks: bool
) -> None:
    on_the_loop = await assemble_prompt(parts(), budget, count)
    blocking = build_prompt(parts(), budget, count)

    assert blocking.messages == on_the_loop.messages
    assert blocking.shrunk == on_the_loop.shrunk
    assert bool(blocking.shrunk) is shrinks
