"""How one agent's run ended: the row of `orchard run`'s final table and its JSON.

Plain data; must not import the loop, git or models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orchard.agents.task import RunState


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """How one agent's run ended: the row of `orchard run`'s final table."""

    task_id: str
    agent_id: str
    model: str
    state: RunState
    branch: str
    worktree: str
    commit: str | None
    files: tuple[str, ...]
    lint_errors: int | None  # new lint errors left at the end; None when never linted
    tests: str  # "passed", "failed", "timed out" or "not run"
    tokens: int
    cost_usd: float
    seconds: float
    error: str | None = None
    large_deletions: tuple[str, ...] = ()  # edits that removed most of an existing file
    notes: tuple[str, ...] = ()  # what the run wants the user to know (e.g. a linter refused)
    applied_edits: int = 0  # edits of the model's replies that applied, every round
    failed_edits: int = 0  # edits that did not apply (fed back to the model)

    def to_json(self) -> dict[str, Any]:
        """Return the outcome as a JSON-ready mapping."""
        return {
            "task": self.task_id,
            "agent": self.agent_id,
            "model": self.model,
            "state": str(self.state),
            "branch": self.branch,
            "worktree": self.worktree,
            "commit": self.commit,
            "files": list(self.files),
            "lint_errors": self.lint_errors,
            "tests": self.tests,
            "tokens": self.tokens,
            "cost_usd": round(self.cost_usd, 6),
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "large_deletions": list(self.large_deletions),
            "notes": list(self.notes),
            "applied_edits": self.applied_edits,
            "failed_edits": self.failed_edits,
        }


JOURNALED_FIELDS = (
    "state",
    "commit",
    "files",
    "lint_errors",
    "tests",
    "tokens",
    "cost_usd",
    "seconds",
    "large_deletions",
    "applied_edits",
    "failed_edits",
)


def journaled_outcome(outcome: RunOutcome) -> dict[str, Any]:
    """Return what the journal's `outcome` event keeps of a run's end (views and the judge)."""
    data = outcome.to_json()
    return {key: data[key] for key in JOURNALED_FIELDS}
