"""The judge of best-of-N: a score per agent from its applied edits, lint errors, tests (passing
far outweighs anything else), review findings by severity and diff size (smaller is better,
weakly), and an optional `judge_model` comparing the leaders' diffs when their scores are close.
No git and no journal here: candidates come in as values.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from orchard.config import Settings
from orchard.errors import ModelError
from orchard.models.client import ModelClient, UsageCallback
from orchard.review.findings import Finding, Severity
from orchard.review.parsing import find_json_object
from orchard.review.reviewer import JSON_MODE

log = logging.getLogger(__name__)

BASE_SCORE = 100.0
TEST_POINTS = {"passed": 40.0, "failed": -40.0, "timed out": -40.0, "not run": 0.0}
LINT_ERROR_POINTS, LINT_ERROR_FLOOR = -4.0, -20.0
FINDING_POINTS = {
    Severity.ERROR: -10.0,
    Severity.WARNING: -4.0,
    Severity.INFO: -1.0,
    Severity.HINT: -0.25,
}
FAILED_EDIT_POINTS, FAILED_EDIT_FLOOR = -1.0, -6.0
LARGE_DELETION_POINTS = -6.0
DIFF_LINES_PER_POINT, DIFF_FLOOR = 100.0, -5.0
CLOSE_MARGIN = 5.0  # scores this close let judge_model decide
MAX_JUDGED = 3
MAX_JUDGE_DIFF_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the judge knows of one committed agent result."""

    agent_id: str
    tests: str = "not run"
    lint_errors: int | None = None
    findings: tuple[Finding, ...] = ()
    changed_lines: int = 0
    applied_edits: int = 0
    failed_edits: int = 0
    large_deletions: int = 0
    reviewed: bool = False
    diff: str = ""  # the result's diff, for judge_model


@dataclass(frozen=True, slots=True)
class Recommendation:
    """Which agent's result to take, why, and every candidate's score."""

    agent_id: str | None
    reasons: tuple[str, ...]
    scores: Mapping[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the recommendation as a JSON-ready mapping (the views' shape)."""
        return {
            "agent": self.agent_id,
            "reasons": list(self.reasons),
            "scores": {name: round(value, 2) for name, value in self.scores.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recommendation:
        """Rebuild a journaled recommendation."""
        agent = data.get("agent")
        scores = data.get("scores") or {}
        return cls(
            agent_id=str(agent) if agent is not None else None,
            reasons=tuple(str(r) for r in data.get("reasons") or ()),
            scores={str(k): float(v) for k, v in scores.items()},
        )

    def summary(self) -> str:
        """Say the recommendation in one line ("recommended: a2 — tests pass, ...")."""
        if self.agent_id is None:
            return "no recommendation: " + ("; ".join(self.reasons) or "no agent committed")
        return f"recommended: {self.agent_id} — " + ", ".join(self.reasons)


def score(candidate: Candidate) -> float:
    """Return a candidate's score: higher is better."""
    points = BASE_SCORE + TEST_POINTS.get(candidate.tests, -40.0)
    if candidate.lint_errors:
        points += max(LINT_ERROR_FLOOR, LINT_ERROR_POINTS * candidate.lint_errors)
    points += sum(FINDING_POINTS[f.severity] for f in candidate.findings)
    points += max(FAILED_EDIT_FLOOR, FAILED_EDIT_POINTS * candidate.failed_edits)
    points += LARGE_DELETION_POINTS * candidate.large_deletions
    points += max(DIFF_FLOOR, -candidate.changed_lines / DIFF_LINES_PER_POINT)
    return points


def reasons_for(candidate: Candidate, others: Sequence[Candidate]) -> list[str]:
    """Say why a candidate stands where it does, in short phrases."""
    tests = {"passed": "tests pass", "not run": "tests not run"}
    said = [tests.get(candidate.tests, f"tests {candidate.tests}")]
    if candidate.lint_errors is not None:
        errors = candidate.lint_errors
        said.append("no new lint errors" if not errors else f"{errors} new lint errors")
    if candidate.reviewed:
        said.append(_findings_phrase(candidate.findings))
    if candidate.failed_edits:
        said.append(f"{candidate.failed_edits} edits failed to apply")
    if candidate.large_deletions:
        said.append(f"{candidate.large_deletions} files mostly deleted")
    smallest = all(candidate.changed_lines <= o.changed_lines for o in others)
    size = f"{candidate.changed_lines} changed lines"
    said.append(f"smallest diff ({size})" if others and smallest else size)
    return said


def _findings_phrase(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no review findings"
    counts = [(s, sum(1 for f in findings if f.severity is s)) for s in FINDING_POINTS]
    return "review: " + ", ".join(f"{n} {s}" for s, n in counts if n)


def rank(candidates: Sequence[Candidate]) -> Recommendation:
    """Recommend the best-scoring candidate (ties: the earlier one)."""
    if not candidates:
        return Recommendation(None, ("no agent committed",), {})
    scores = {c.agent_id: score(c) for c in candidates}
    best = max(candidates, key=lambda c: scores[c.agent_id])
    others = [c for c in candidates if c is not best]
    return Recommendation(best.agent_id, tuple(reasons_for(best, others)), scores)


async def judge(
    candidates: Sequence[Candidate],
    *,
    settings: Settings,
    client: ModelClient,
    request: str = "",
    on_usage: UsageCallback | None = None,
) -> Recommendation:
    """Rank the candidates; when `judge_model` is set and the leaders are close, let it pick."""
    ranked = rank(candidates)
    close = _close_leaders(candidates, ranked)
    if not settings.judge_model or len(close) < 2:
        return ranked
    try:
        picked = await _ask_judge(close, settings.judge_model, client, request, on_usage)
    except ModelError as exc:
        log.warning("judge model %s failed (%s); the scores decide", settings.judge_model, exc)
        return ranked
    if picked is None:
        return ranked
    agent_id, reason = picked
    chosen = next(c for c in close if c.agent_id == agent_id)
    others = [c for c in candidates if c is not chosen]
    reasons = (f"judge: {reason}", *reasons_for(chosen, others))
    return Recommendation(agent_id, reasons, ranked.scores)


def _close_leaders(candidates: Sequence[Candidate], ranked: Recommendation) -> list[Candidate]:
    if ranked.agent_id is None:
        return []
    top = ranked.scores[ranked.agent_id]
    close = [c for c in candidates if top - ranked.scores[c.agent_id] <= CLOSE_MARGIN]
    close.sort(key=lambda c: -ranked.scores[c.agent_id])
    return close[:MAX_JUDGED]


def judge_messages(close: Sequence[Candidate], request: str) -> list[dict[str, Any]]:
    """Return the chat messages asking the judge model to pick one of `close`."""
    system = resources.files("orchard.review").joinpath("prompts/judge.md").read_text("utf-8")
    parts = [f"The request:\n\n{request.strip() or '(not given)'}"]
    for candidate in close:
        diff = candidate.diff[:MAX_JUDGE_DIFF_CHARS]
        facts = ", ".join(reasons_for(candidate, [c for c in close if c is not candidate]))
        parts.append(f"Agent `{candidate.agent_id}` ({facts}):\n\n```diff\n{diff}\n```")
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(parts)}]


async def _ask_judge(
    close: Sequence[Candidate],
    model: str,
    client: ModelClient,
    request: str,
    on_usage: UsageCallback | None,
) -> tuple[str, str] | None:
    json_mode = await asyncio.to_thread(client.supports_json_mode, model)
    completion = await client.complete(
        model,
        judge_messages(close, request),
        stream=False,
        on_usage=on_usage,
        response_format=JSON_MODE if json_mode else None,
    )
    answer = find_json_object(completion.text, "agent")
    names = {c.agent_id for c in close}
    if answer is None or str(answer.get("agent")) not in names:
        log.warning("the judge model named none of %s; the scores decide", sorted(names))
        return None
    reason = str(answer.get("reason") or "preferred by the judge model").strip()
    return str(answer["agent"]), reason
