"""Assembling a prompt within a token budget: per-section budgets, a fixed shrink order, a report.

Owns the budgets derived from a model's context window and the order in which sections give
way when the prompt is too large. Must not call git or litellm: tokens are counted by the
`count` callable handed in (ModelClient.token_counter), so budgets hold to the token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from orchard.context.sections import (
    ACK,
    MAP_INTRO,
    CountTokens,
    Draft,
    Message,
    PromptParts,
    SectionKind,
    exchange,
)
from orchard.context.summary import truncate_history
from orchard.errors import BudgetExceeded

log = logging.getLogger(__name__)

Summarize = Callable[[Sequence[Message], int], Awaitable[list[Message]]]

MAP_RENDER_TRIES = 6
MIN_HISTORY_TOKENS = 32


@dataclass(frozen=True, slots=True)
class PromptBudget:
    """Token budgets: the whole prompt, and the sections that may grow without end."""

    total: int
    repo_map: int
    history: int
    readonly_files: int
    memory: int

    @classmethod
    def for_window(
        cls, context_window: int, max_output_tokens: int | None = None, map_tokens: int = 1024
    ) -> PromptBudget:
        """Derive budgets from a model's window, keeping room for the reply."""
        reserve = min(max_output_tokens or 4096, context_window // 4)
        total = max(context_window - reserve, 0)
        return cls(
            total=total,
            repo_map=min(map_tokens, total // 4),
            history=min(total // 8, 8192),
            readonly_files=total // 3,
            memory=min(total // 16, 2048),
        )


@dataclass(frozen=True, slots=True)
class ShrinkStep:
    """One thing given up to fit the budget, for the report to the user."""

    section: SectionKind
    action: str
    detail: str
    tokens_before: int
    tokens_after: int

    def __str__(self) -> str:
        what = f"{self.section} {self.action}"
        if self.detail:
            what += f" ({self.detail})"
        return f"{what}: {self.tokens_before} → {self.tokens_after} tokens"


@dataclass(frozen=True, slots=True)
class Prompt:
    """An assembled prompt: messages, their exact token count, and what was given up."""

    messages: tuple[Message, ...]
    tokens: int
    budget: int
    section_tokens: Mapping[SectionKind, int]
    shrunk: tuple[ShrinkStep, ...] = ()

    def report(self) -> str:
        """Say in one line what was summarised, shrunk or dropped (empty when nothing was)."""
        return "; ".join(str(step) for step in self.shrunk)


class _Assembly:
    """One assembly run: the draft, the counter, and the steps taken so far."""

    def __init__(self, draft: Draft, count: CountTokens, summarize: Summarize | None) -> None:
        self.draft = draft
        self.count = count
        self.summarize = summarize
        self.steps: list[ShrinkStep] = []
        self.map_budget = 0

    def tokens(self, kind: SectionKind | None = None) -> int:
        if kind is None:
            return self.count(self.draft.messages())
        section = self.draft.section(kind)
        return self.count(section) if section else 0

    def note(self, kind: SectionKind, action: str, detail: str, before: int) -> None:
        step = ShrinkStep(kind, action, detail, before, self.tokens(kind))
        self.steps.append(step)
        log.info("prompt: %s", step)

    async def fit_history(self, target: int) -> None:
        """Bring the history within `target`: summarised when a summarizer is given, else cut."""
        before = self.tokens(SectionKind.HISTORY)
        if self.summarize is None or not self.draft.history or before <= target:
            self.cut_history(target)
            return
        if target < MIN_HISTORY_TOKENS:
            self.cut_history(target)
            return
        history = list(await self.summarize(self.draft.history, target))
        action = "summarised"
        if self.count(history) > target:
            history, action = truncate_history(history, target, self.count), "truncated"
        self.draft.history = history
        self.note(SectionKind.HISTORY, action if history else "dropped", "", before)

    def cut_history(self, target: int) -> None:
        """Bring the history within `target` without waiting on anything: truncate or drop it."""
        before = self.tokens(SectionKind.HISTORY)
        if not self.draft.history or before <= target:
            return
        if target < MIN_HISTORY_TOKENS:
            self.draft.history = []
            self.note(SectionKind.HISTORY, "dropped", "", before)
            return
        self.draft.history = truncate_history(self.draft.history, target, self.count)
        self.note(SectionKind.HISTORY, "truncated" if self.draft.history else "dropped", "", before)

    def render_map(self, budget: int) -> None:
        """Render the map so its whole section, framing included, fits in `budget`."""
        renderer = self.draft.parts.repo_map
        if renderer is None:
            return
        framing = self.count(exchange(MAP_INTRO, ACK))
        for _ in range(MAP_RENDER_TRIES):
            self.map_budget = max(budget, 0)
            asked = self.map_budget - framing
            self.draft.map_text = renderer(asked) if asked > 0 else ""
            used = self.tokens(SectionKind.REPO_MAP)
            if used <= budget or not self.draft.map_text:
                return
            budget -= max(used - budget, 1)
        self.draft.map_text = ""

    def shrink_map(self, excess: int) -> None:
        before = self.tokens(SectionKind.REPO_MAP)
        if not before:
            return
        self.render_map(min(self.map_budget, before) - excess)
        action = "shrunk" if self.draft.map_text else "dropped"
        self.note(SectionKind.REPO_MAP, action, f"budget {self.map_budget}", before)

    def drop_last(self, kind: SectionKind, limit: int | None = None) -> bool:
        """Drop the last read-only file or memory hit; False when none is left or it fits."""
        before = self.tokens(kind)
        if limit is not None and before <= limit:
            return False
        if kind is SectionKind.READONLY_FILES:
            if not self.draft.readonly_files:
                return False
            detail = self.draft.readonly_files.pop().path
        else:
            if not self.draft.memory_hits:
                return False
            detail = _clip(self.draft.memory_hits.pop())
        self.note(kind, "dropped", detail, before)
        return True


async def assemble_prompt(
    parts: PromptParts,
    budget: PromptBudget,
    count: CountTokens,
    *,
    summarize: Summarize | None = None,
    cache_marks: bool = False,
) -> Prompt:
    """Build the prompt within `budget`, shrinking history, map, memory, read-only files in turn.

    Raises BudgetExceeded when the parts that cannot shrink (system, examples, editable files,
    request, reminder) do not fit on their own.
    """
    run = _Assembly(Draft.start(parts, cache_marks), count, summarize)
    await run.fit_history(budget.history)
    _fit_sections(run, budget)
    excess = run.tokens() - budget.total
    if excess > 0 and run.draft.history:
        await run.fit_history(run.tokens(SectionKind.HISTORY) - excess)
    _fit_rest(run, budget.total)
    return _prompt(run, budget, count)


def build_prompt(
    parts: PromptParts, budget: PromptBudget, count: CountTokens, cache_marks: bool = False
) -> Prompt:
    """Build the prompt as `assemble_prompt` does, without ever waiting: for a worker thread.

    History over its budget is truncated here; summaries are the caller's, made beforehand on
    the event loop (the agent's history does that).
    """
    run = _Assembly(Draft.start(parts, cache_marks), count, None)
    run.cut_history(budget.history)
    _fit_sections(run, budget)
    excess = run.tokens() - budget.total
    if excess > 0 and run.draft.history:
        run.cut_history(run.tokens(SectionKind.HISTORY) - excess)
    _fit_rest(run, budget.total)
    return _prompt(run, budget, count)


def _fit_sections(run: _Assembly, budget: PromptBudget) -> None:
    """Render the map and drop memory hits and read-only files past their section budgets."""
    run.render_map(budget.repo_map)
    while run.drop_last(SectionKind.MEMORY, budget.memory):
        pass
    while run.drop_last(SectionKind.READONLY_FILES, budget.readonly_files):
        pass


def _prompt(run: _Assembly, budget: PromptBudget, count: CountTokens) -> Prompt:
    messages = run.draft.messages()
    sections = {kind: run.tokens(kind) for kind in SectionKind}
    return Prompt(
        messages=tuple(messages),
        tokens=count(messages),
        budget=budget.total,
        section_tokens=sections,
        shrunk=tuple(run.steps),
    )


def _fit_rest(run: _Assembly, total: int) -> None:
    """After the history had its turn: shrink in the fixed order until the prompt fits."""
    excess = run.tokens() - total
    while excess > 0 and run.draft.map_text:
        run.shrink_map(excess)
        excess = run.tokens() - total
    while excess > 0 and run.drop_last(SectionKind.MEMORY):
        excess = run.tokens() - total
    while excess > 0 and run.drop_last(SectionKind.READONLY_FILES):
        excess = run.tokens() - total
    if excess > 0 and run.draft.history:
        before = run.tokens(SectionKind.HISTORY)
        run.draft.history = []
        run.note(SectionKind.HISTORY, "dropped", "", before)
        excess = run.tokens() - total
    if excess > 0:
        fixed = run.tokens()
        raise BudgetExceeded(
            f"the prompt needs {fixed} tokens even without history, map, memory and read-only"
            f" files, but only {total} fit in this model's context; drop some files from the"
            " chat or pick a model with a larger context window"
        )


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
