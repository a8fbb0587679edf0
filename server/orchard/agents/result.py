"""How a task ended, as a value: its state, every agent's outcome, the judge's pick, the review
findings and a fan-out's integration. Plain data the front doors show; runs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orchard.agents.integration import Integration
from orchard.agents.outcome import RunOutcome
from orchard.agents.planner import Plan
from orchard.agents.reviewing import review_json
from orchard.agents.task import RunState, TaskState
from orchard.review.findings import Finding
from orchard.review.judge import Recommendation


@dataclass(frozen=True, slots=True)
class TaskResult:
    """How a task ended: its state and every agent's outcome, in launch order."""

    task_id: str
    state: TaskState
    snapshot: str
    outcomes: tuple[RunOutcome, ...]
    plan: Plan | None = None
    recommendation: Recommendation | None = None  # best-of-N: the judge's pick
    findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)  # reviewed agents
    integration: Integration | None = None  # fan-out: every committed agent merged

    @property
    def committed(self) -> tuple[RunOutcome, ...]:
        """The outcomes of agents that committed a result."""
        return tuple(o for o in self.outcomes if o.state is RunState.COMMITTED)

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping."""
        data: dict[str, Any] = {
            "task": self.task_id,
            "state": str(self.state),
            "snapshot": self.snapshot,
            "agents": [o.to_json() for o in self.outcomes],
            **review_json(self.recommendation, self.findings),
        }
        if self.plan is not None:
            data["overlaps"] = {o.path: list(o.subtasks) for o in self.plan.overlaps}
        if self.integration is not None:
            data["integration"] = self.integration.to_json()
        return data
