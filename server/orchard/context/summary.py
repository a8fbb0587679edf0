"""Shortening chat history: summaries by a model, recursive halving, fallbacks, truncation.

Owns the summarisation prompt and the bounds on how much work a summary may take. Never
reaches litellm or git itself: models are reached through the `complete` callable it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from importlib import resources

from orchard.context.sections import CountTokens, Message, message_text
from orchard.errors import ModelError

log = logging.getLogger(__name__)

Complete = Callable[[str, list[Message]], Awaitable[str]]

SUMMARY_PREFIX = "I spoke to you earlier about this task. A summary of our conversation so far:\n\n"
SUMMARY_ACK = "Ok, I will keep that in mind."
TRUNCATION_NOTE = "[{count} earlier messages were left out to fit the context window.]"
MIN_SPLIT_MESSAGES = 4


def summary_prompt() -> str:
    """Return the system prompt that asks a model for a history summary."""
    return resources.files("orchard.context").joinpath("prompts/summarize.md").read_text("utf-8")


def transcript(messages: Sequence[Message]) -> str:
    """Render messages as a plain transcript for the summariser."""
    lines = []
    for message in messages:
        role = str(message.get("role", "user")).upper()
        lines.append(f"# {role}\n{message_text(message).strip()}\n")
    return "\n".join(lines)


def truncate_text(text: str, target: int, count: CountTokens) -> str:
    """Return the longest prefix of `text` (cut on a line or word) within `target` tokens."""
    if count(text) <= target:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if count(text[:middle]) <= target:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    for separator in ("\n", " "):
        at = cut.rfind(separator)
        if at > len(cut) // 2:
            return cut[:at]
    return cut


def truncate_history(messages: Sequence[Message], target: int, count: CountTokens) -> list[Message]:
    """Keep the newest messages that fit in `target` tokens, starting on a user message."""
    kept: list[Message] = []
    for message in reversed(messages):
        if count([message, *kept]) > target:
            break
        kept.insert(0, message)
    while kept and kept[0].get("role") != "user":
        kept.pop(0)
    left_out = len(messages) - len(kept)
    if left_out and kept:
        note = {"role": "user", "content": TRUNCATION_NOTE.format(count=left_out)}
        with_note = [note, {"role": "assistant", "content": "Ok."}, *kept]
        if count(with_note) <= target:
            return with_note
    return kept


class HistorySummarizer:
    """Summarises chat history to a token target, trying each model in turn.

    Long histories are halved recursively: the newest half that fits is kept verbatim and the
    older part is summarised; a part too large for the summariser is split in two first. The
    number of model calls per summary is bounded; when every model fails, or the bound is
    reached, the history is truncated instead.
    """

    def __init__(
        self,
        complete: Complete,
        models: Sequence[str],
        count: CountTokens,
        *,
        input_limit: int = 6000,
        max_depth: int = 3,
        max_calls: int = 8,
    ) -> None:
        self.complete = complete
        self.models = [m for m in models if m]
        self.count = count
        self.input_limit = input_limit
        self.max_depth = max_depth
        self.max_calls = max_calls
        self.calls = 0
        self.failures: list[str] = []
        self._failed: set[str] = set()

    async def summarize(self, messages: Sequence[Message], target: int) -> list[Message]:
        """Return history that fits in `target` tokens, summarised where a model can help."""
        self.calls = 0
        self._failed = set()
        messages = list(messages)
        if self.count(messages) <= target:
            return messages
        shortened = await self._shrink(messages, target, depth=0)
        if self.count(shortened) <= target:
            return shortened
        return truncate_history(shortened, target, self.count)

    async def _shrink(self, messages: list[Message], target: int, depth: int) -> list[Message]:
        if depth >= self.max_depth or len(messages) < MIN_SPLIT_MESSAGES:
            return await self._summary_messages(messages, target, depth)
        split = self._split_point(messages, target // 2)
        head, tail = messages[:split], messages[split:]
        if not head:
            return truncate_history(messages, target, self.count)
        room = max(target - self.count(tail), target // 4)
        result = await self._summary_messages(head, room, depth) + tail
        if self.count(result) <= target:
            return result
        return await self._shrink(result, target, depth + 1)

    def _split_point(self, messages: list[Message], tail_budget: int) -> int:
        """Index where the newest part within `tail_budget` starts, on a user message."""
        split = len(messages)
        while split > 0 and self.count(messages[split - 1 :]) <= tail_budget:
            split -= 1
        while split < len(messages) and messages[split].get("role") != "user":
            split += 1
        return split

    async def _summary_messages(
        self, messages: list[Message], target: int, depth: int
    ) -> list[Message]:
        text = await self._summary_text(messages, depth)
        if text is None:
            return truncate_history(messages, target, self.count)
        wrapper = [
            {"role": "user", "content": SUMMARY_PREFIX},
            {"role": "assistant", "content": SUMMARY_ACK},
        ]
        room = max(target - self.count(wrapper), 0)
        text = truncate_text(text, room, self.count)
        return [
            {"role": "user", "content": SUMMARY_PREFIX + text},
            {"role": "assistant", "content": SUMMARY_ACK},
        ]

    async def _summary_text(self, messages: list[Message], depth: int) -> str | None:
        """Summarise `messages` to text, halving what is too long for the summariser."""
        body = transcript(messages)
        if self.count(body) > self.input_limit:
            if depth >= self.max_depth or len(messages) < 2:
                body = truncate_text(body, self.input_limit, self.count)
            else:
                half = len(messages) // 2
                first = await self._summary_text(messages[:half], depth + 1)
                second = await self._summary_text(messages[half:], depth + 1)
                if first is None or second is None:
                    return None
                body = transcript(
                    [{"role": "summary", "content": first}, {"role": "summary", "content": second}]
                )
        return await self._ask(body)

    async def _ask(self, body: str) -> str | None:
        prompt = [
            {"role": "system", "content": summary_prompt()},
            {"role": "user", "content": body},
        ]
        for model in [m for m in self.models if m not in self._failed]:
            if self.calls >= self.max_calls:
                log.info("summary call bound (%d) reached; truncating instead", self.max_calls)
                return None
            self.calls += 1
            try:
                text = (await self.complete(model, prompt)).strip()
            except ModelError as exc:
                # A model that failed after its own retries is skipped for the rest of this run.
                self._failed.add(model)
                text = str(exc)
                self.failures.append(text if text.startswith(model) else f"{model}: {text}")
                log.warning("summary by %s failed: %s", model, exc)
                continue
            if text:
                return text
            self.failures.append(f"{model}: empty summary")
        return None
