"""A task's token and cost budget, summed from the usage records of every agent's model calls.

Pure bookkeeping: it says when the budget is spent; the orchestrator stops the agents.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchard.models.usage import Usage

BUDGET_EXHAUSTED = "budget exhausted"


@dataclass(slots=True)
class Budget:
    """Limits of a task (None: no limit) and what its agents have spent so far."""

    max_tokens: int | None = None
    max_cost_usd: float | None = None
    tokens: int = 0
    cost_usd: float = 0.0

    @property
    def exhausted(self) -> bool:
        """Whether the task has spent all it may (no further model call may start)."""
        if self.max_tokens is not None and self.tokens >= self.max_tokens:
            return True
        return self.max_cost_usd is not None and self.cost_usd >= self.max_cost_usd

    def charge(self, usage: Usage) -> bool:
        """Add one call's usage; return True when this call is the one that spent the budget."""
        was = self.exhausted
        self.tokens += usage.total_tokens
        self.cost_usd += usage.cost_usd
        return self.exhausted and not was

    def describe(self) -> str:
        """Say what was spent against which limit, for messages to users."""
        parts = []
        if self.max_tokens is not None:
            parts.append(f"{self.tokens} of {self.max_tokens} tokens")
        if self.max_cost_usd is not None:
            parts.append(f"${self.cost_usd:.4f} of ${self.max_cost_usd:.4f}")
        return ", ".join(parts) or f"{self.tokens} tokens, ${self.cost_usd:.4f} (no limit)"
