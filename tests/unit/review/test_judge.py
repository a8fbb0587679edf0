"""The judge's scores: passing tests outweigh a smaller diff, findings count by severity, and the
recommendation says why."""

from __future__ import annotations

from orchard.review.findings import Finding, Severity
from orchard.review.judge import Candidate, Recommendation, rank, score


def finding(severity: Severity) -> Finding:
    return Finding("a.py", 1, 1, severity, "something")


def test_passing_tests_beat_a_smaller_diff_whose_tests_fail() -> None:
    small = Candidate("small", tests="failed", lint_errors=0, changed_lines=2)
    large = Candidate("large", tests="passed", lint_errors=0, changed_lines=400)
    picked = rank([small, large])
    assert picked.agent_id == "large"
    assert picked.reasons[0] == "tests pass"
    assert picked.scores["large"] > picked.scores["small"]


def test_the_smaller_diff_wins_when_everything_else_is_equal() -> None:
    picked = rank([Candidate("big", changed_lines=300), Candidate("tidy", changed_lines=10)])
    assert picked.agent_id == "tidy"
    assert "smallest diff (10 changed lines)" in picked.reasons


def test_findings_weigh_by_severity_and_lint_errors_count() -> None:
    clean = Candidate("clean", reviewed=True)
    hinted = Candidate("hinted", findings=(finding(Severity.HINT),) * 3, reviewed=True)
    broken = Candidate("broken", findings=(finding(Severity.ERROR),), reviewed=True)
    linty = Candidate("linty", lint_errors=2)
    assert score(clean) > score(hinted) > score(broken)
    assert score(clean) > score(linty)
    assert rank([broken, hinted]).reasons[:2] == ("tests not run", "review: 3 hint")


def test_no_candidate_gives_no_recommendation_and_json_round_trips() -> None:
    nothing = rank([])
    assert nothing.agent_id is None and nothing.summary().startswith("no recommendation")
    picked = rank([Candidate("a1", tests="passed")])
    assert Recommendation.from_json(picked.to_json()) == Recommendation(
        "a1", picked.reasons, {"a1": round(picked.scores["a1"], 2)}
    )
    assert picked.summary().startswith("recommended: a1 — tests pass")
