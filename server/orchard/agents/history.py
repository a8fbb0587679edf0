"""An agent's chat history between rounds: long messages clipped before they are kept, and a
history over its budget summarised by `weak_model` (then the agent's own model, then cut).

Owns when history is shortened and by whom; how a summary is made lives in context/summary.py.
Must not touch git or the worktree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from orchard.context.sections import CountTokens, Message
from orchard.context.summary import HistorySummarizer
from orchard.models.client import ModelClient, UsageCallback

log = logging.getLogger(__name__)

HISTORY_MESSAGE_CHARS = 24_000  # about 6,000 tokens: more than any history budget keeps verbatim
SUMMARY_MAX_TOKENS = 1024


def clip_for_history(text: str, limit: int = HISTORY_MESSAGE_CHARS) -> str:
    """Return `text` cut to about `limit` characters (head and tail kept, the cut said)."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 3 // 4], text[-(limit // 4) :]
    left_out = len(text) - len(head) - len(tail)
    return f"{head}\n\n[... {left_out:,} characters of this message were left out ...]\n\n{tail}"


class AgentHistory:
    """Keeps one agent's history within its budget, summarising with the weak model first."""

    def __init__(
        self,
        client: ModelClient,
        model: str,
        weak_model: str | None,
        on_usage: UsageCallback,
        count_for: Callable[[str], CountTokens],
    ) -> None:
        self.client = client
        self.models = list(dict.fromkeys(m for m in (weak_model, model) if m))
        self.on_usage = on_usage
        self.count = count_for(model)

    async def fit(self, history: list[Message], budget: int) -> str:
        """Shorten `history` in place to `budget` tokens; return what was done ("" if nothing)."""
        if not history or await asyncio.to_thread(self.count, history) <= budget:
            return ""
        summarizer = HistorySummarizer(self._complete, self.models, self.count)
        before = len(history)
        shortened = await summarizer.summarize(history, budget)
        history[:] = shortened
        failures = "; ".join(summarizer.failures)
        if summarizer.calls and not failures:
            done = f"history of {before} messages summarised by {self.models[0]}"
        elif summarizer.calls and len(summarizer.failures) < summarizer.calls:
            done = f"history of {before} messages summarised after failures ({failures})"
        else:
            done = f"history of {before} messages truncated" + (
                f" (summaries failed: {failures})" if failures else ""
            )
        log.info("%s", done)
        return done

    async def _complete(self, model: str, messages: list[Message]) -> str:
        completion = await self.client.complete(
            model, messages, stream=False, on_usage=self.on_usage, max_tokens=SUMMARY_MAX_TOKENS
        )
        return completion.text
