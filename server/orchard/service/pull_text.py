"""The title and body of an agent's pull request, from the task view (`service/views.py`): the
request, the judge's reasons, lint, tests, cost and review findings. Reads the view defensively
(fields the reviewer or judge add may be missing); pure text, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TITLE_CHARS = 72
MAX_FINDINGS = 50


def pull_title(request: str) -> str:
    """Return the request's first line, cut to a title's length."""
    line = next((part.strip() for part in request.splitlines() if part.strip()), "Orchard agent")
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def pull_body(view: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    """Return the markdown body of `run`'s pull request within task `view`."""
    agent = str(run.get("agent", "?"))
    sections = [
        "## Request",
        "",
        _quote(str(view.get("request", ""))),
        *_reasons(view.get("recommendation"), agent),
        "",
        "## Checks",
        "",
        *_checks(run),
        *_findings(run.get("findings")),
        "",
        f"_Opened by Orchard from task `{view.get('id', '?')}`, agent `{agent}`"
        f" (model `{run.get('model', '?')}`)._",
    ]
    return "\n".join(sections) + "\n"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines()) or "> (empty)"


def _reasons(recommendation: Any, agent: str) -> list[str]:
    if not isinstance(recommendation, Mapping) or not recommendation.get("agent"):
        return []
    reasons = [str(r) for r in recommendation.get("reasons") or () if str(r).strip()]
    picked = str(recommendation["agent"])
    head = (
        "The judge picked this agent."
        if picked == agent
        else f"The judge picked `{picked}`; this is `{agent}`."
    )
    return ["", "## Why this agent", "", head, *(f"- {reason}" for reason in reasons)]


def _checks(run: Mapping[str, Any]) -> list[str]:
    rows = [
        ("lint errors", _value(run.get("lint_errors"))),
        ("tests", _tests(run.get("tests"))),
        ("files changed", _count(run.get("files"))),
        ("tokens", _value(run.get("tokens"))),
        ("cost", _cost(run.get("cost_usd"))),
    ]
    return ["| check | result |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in rows)]


def _value(value: Any) -> str:
    return "not recorded" if value is None else str(value)


def _count(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(len(value))
    return _value(value)


def _cost(value: Any) -> str:
    return f"${value:.4f}" if isinstance(value, int | float) else _value(value)


def _tests(value: Any) -> str:
    if isinstance(value, Mapping):
        parts = [f"{k}: {v}" for k, v in value.items() if not isinstance(v, Mapping | list)]
        return ", ".join(parts) or "not recorded"
    if isinstance(value, bool):
        return "passed" if value else "failed"
    return _value(value)


def _findings(findings: Any) -> list[str]:
    if not isinstance(findings, list):
        return ["", "## Review findings", "", "No review was recorded."]
    if not findings:
        return ["", "## Review findings", "", "No review findings."]
    lines = ["", "## Review findings", ""]
    for finding in findings[:MAX_FINDINGS]:
        if not isinstance(finding, Mapping):
            continue
        where = f"{finding.get('file', '?')}:{finding.get('line', '?')}"
        message = " ".join(str(finding.get("message", "")).split())
        lines.append(f"- **{finding.get('severity', 'note')}** `{where}`: {message}")
    if len(findings) > MAX_FINDINGS:
        lines.append(f"- … and {len(findings) - MAX_FINDINGS} more")
    return lines
