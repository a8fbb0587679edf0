"""Which agent is published by default, and what its pull request says, from task views as
`orchard tasks show --json` gives them (judge and reviewer fields read when present)."""

from __future__ import annotations

from typing import Any

import pytest

from orchard.errors import ResultNotChosen
from orchard.service.publish import choose_run, default_branch
from orchard.service.pull_text import pull_body, pull_title


def run(agent: str, state: str = "committed", **extra: Any) -> dict[str, Any]:
    return {"agent": agent, "state": state, "commit": "c" * 40 if state == "committed" else None,
            "model": "openai/gpt-test", **extra}  # fmt: skip


def view(*runs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": "t1", "request": "add a --verbose flag", "runs": list(runs), **extra}


def test_the_judges_pick_is_published_by_default() -> None:
    judged = view(run("a1"), run("a2"), recommendation={"agent": "a2", "reasons": ["tests"]})

    assert choose_run(judged, None)["agent"] == "a2"


def test_without_a_judge_the_only_committed_agent_is_published() -> None:
    assert choose_run(view(run("a1", "failed"), run("a2")), None)["agent"] == "a2"
    assert choose_run(view(run("a1"), run("a2"), recommendation=None), "a1")["agent"] == "a1"


def test_a_judges_pick_that_did_not_commit_is_not_published() -> None:
    judged = view(run("a1"), run("a2", "failed"), recommendation={"agent": "a2"})

    assert choose_run(judged, None)["agent"] == "a1"


def test_no_committed_agent_is_an_error_listing_the_agents() -> None:
    with pytest.raises(ResultNotChosen) as caught:
        choose_run(view(run("a1", "failed"), run("a2", "cancelled")), None)

    assert "a1 (failed)" in str(caught.value) and "a2 (cancelled)" in str(caught.value)


def test_the_default_branch_is_readable() -> None:
    assert default_branch("20260101-120000-ab12", "gpt-4o") == "orchard/20260101-120000-ab12-gpt-4o"


def test_the_title_is_the_requests_first_line_cut_to_length() -> None:
    assert pull_title("\n  fix the parser \nand more") == "fix the parser"
    long = pull_title("x" * 200)
    assert len(long) == 72 and long.endswith("…")


def test_the_body_holds_request_reasons_checks_cost_and_findings() -> None:
    finding = {"file": "src/cli.py", "line": 12, "severity": "warning", "message": "no test"}
    agent = run("a2", lint_errors=0, tests={"passed": 5, "failed": 0}, tokens=1234,
                cost_usd=0.0123, files=["src/cli.py"], findings=[finding])  # fmt: skip
    judged = view(agent, recommendation={"agent": "a2", "reasons": ["all tests pass"]})

    body = pull_body(judged, agent)

    assert "> add a --verbose flag" in body
    assert "- all tests pass" in body
    assert "| lint errors | 0 |" in body and "| tests | passed: 5, failed: 0 |" in body
    assert "| cost | $0.0123 |" in body and "| tokens | 1234 |" in body
    assert "**warning** `src/cli.py:12`: no test" in body


def test_a_view_without_judge_or_review_says_what_was_not_recorded() -> None:
    body = pull_body(view(run("a1")), run("a1"))

    assert "Why this agent" not in body
    assert "No review was recorded." in body and "| lint errors | not recorded |" in body
