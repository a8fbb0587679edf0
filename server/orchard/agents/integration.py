"""A fan-out task's integration result as values: one step per agent merged (status, conflicts,
what the resolver settled, lint and tests after the merge, what it broke) and the whole result.
Plain data the journal stores and the front doors show; must not run git, lint or models.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchard.agents.task import run_id_for
from orchard.vcs.names import INTEGRATION_AGENT

if TYPE_CHECKING:
    from orchard.memory.journal import Journal

INTEGRATION_EVENT = "integration"  # the event of the `integration` run that holds the result


class StepStatus(enum.StrEnum):
    """How one agent's commit went into the integration."""

    MERGED = "merged"  # git merged it cleanly
    RESOLVED = "resolved"  # it conflicted and the resolver settled every region
    CONFLICTS = "conflicts"  # conflict markers were committed (listed in `conflicts`)
    SKIPPED = "skipped"  # the agent committed nothing


@dataclass(frozen=True, slots=True)
class MergeStep:
    """One agent merged into the integration branch, and the checks after it."""

    agent_id: str
    status: StepStatus
    agent_commit: str | None
    commit: str | None  # the integration commit after this step (None when skipped)
    conflicts: tuple[str, ...] = ()  # paths committed with conflict markers
    resolved: tuple[str, ...] = ()  # paths whose conflicts the resolver settled
    lint_errors: int | None = None  # new lint errors against the snapshot after this merge
    tests: str = "not run"  # "passed", "failed", "timed out" or "not run"
    broke: tuple[str, ...] = ()  # "lint" and/or "tests" when this merge broke them
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the step as a JSON-ready mapping."""
        return {
            "agent": self.agent_id,
            "status": str(self.status),
            "agent_commit": self.agent_commit,
            "commit": self.commit,
            "conflicts": list(self.conflicts),
            "resolved": list(self.resolved),
            "lint_errors": self.lint_errors,
            "tests": self.tests,
            "broke": list(self.broke),
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MergeStep:
        """Rebuild a step from `to_json` output."""
        lint = data.get("lint_errors")
        return cls(
            agent_id=str(data["agent"]),
            status=StepStatus(data.get("status", StepStatus.SKIPPED)),
            agent_commit=data.get("agent_commit"),
            commit=data.get("commit"),
            conflicts=tuple(data.get("conflicts", ())),
            resolved=tuple(data.get("resolved", ())),
            lint_errors=None if lint is None else int(lint),
            tests=str(data.get("tests", "not run")),
            broke=tuple(data.get("broke", ())),
            note=data.get("note"),
        )


@dataclass(frozen=True, slots=True)
class Integration:
    """Every committed agent of a fan-out task merged, in launch order, onto `branch`."""

    task_id: str
    branch: str
    base: str  # the task's snapshot commit, where the branch started
    commit: str  # the integration result (the branch's head)
    steps: tuple[MergeStep, ...]
    baseline_tests: str = "not run"  # the tests on the snapshot, before any merge

    @property
    def conflicts(self) -> tuple[str, ...]:
        """Paths the result holds conflict markers in."""
        return tuple(dict.fromkeys(p for s in self.steps for p in s.conflicts))

    @property
    def broke_lint(self) -> tuple[str, ...]:
        """The agents whose merge added lint errors."""
        return tuple(s.agent_id for s in self.steps if "lint" in s.broke)

    @property
    def broke_tests(self) -> tuple[str, ...]:
        """The agents whose merge made passing tests fail."""
        return tuple(s.agent_id for s in self.steps if "tests" in s.broke)

    def to_json(self) -> dict[str, Any]:
        """Return the integration as a JSON-ready mapping."""
        return {
            "task": self.task_id,
            "branch": self.branch,
            "base": self.base,
            "commit": self.commit,
            "baseline_tests": self.baseline_tests,
            "conflicts": list(self.conflicts),
            "broke_lint": list(self.broke_lint),
            "broke_tests": list(self.broke_tests),
            "steps": [s.to_json() for s in self.steps],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Integration:
        """Rebuild an integration from `to_json` output."""
        return cls(
            task_id=str(data["task"]),
            branch=str(data["branch"]),
            base=str(data["base"]),
            commit=str(data["commit"]),
            steps=tuple(MergeStep.from_json(s) for s in data.get("steps", ())),
            baseline_tests=str(data.get("baseline_tests", "not run")),
        )

    def summary(self) -> list[str]:
        """Return lines saying what the integration holds and who broke what."""
        merged = [s.agent_id for s in self.steps if s.status is not StepStatus.SKIPPED]
        lines = [f"integration: {self.branch} at {self.commit[:12]} ({', '.join(merged) or '-'})"]
        for step in self.steps:
            detail = str(step.status)
            if step.resolved:
                detail += f"; resolver settled {', '.join(step.resolved)}"
            if step.conflicts:
                detail += f"; conflict markers in {', '.join(step.conflicts)}"
            if step.lint_errors is not None:
                detail += f"; lint {'ok' if step.lint_errors == 0 else step.lint_errors}"
            if step.tests != "not run":
                detail += f"; tests {step.tests}"
            if step.broke:
                detail += f"; its merge broke {' and '.join(step.broke)}"
            lines.append(f"  {step.agent_id}: {detail}")
        return lines


def journaled_integration(journal: Journal, task_id: str) -> Integration | None:
    """Return the task's last journaled integration, or None (blocking: reads SQLite)."""
    events = journal.events(run_id_for(task_id, INTEGRATION_AGENT))
    found = [e for e in events if e.kind == INTEGRATION_EVENT]
    return Integration.from_json(found[-1].data) if found else None
