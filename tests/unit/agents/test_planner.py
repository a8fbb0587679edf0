"""Parsing a planner's reply into subtasks, and flagging files that subtasks share."""

from __future__ import annotations

import json

import pytest

from orchard.agents.planner import Subtask, find_overlaps, parse_plan, planner_messages
from orchard.errors import ParseError


def plan_json(*subtasks: dict[str, object]) -> str:
    return json.dumps({"subtasks": list(subtasks)})


def test_fenced_json_after_prose_becomes_subtasks_with_their_files() -> None:
    reply = (
        "Sure, here is the plan:\n\n```json\n"
        + plan_json(
            {"title": "cli", "request": "add --verbose", "files": ["./src/cli.py"]},
            {"title": "docs", "request": "document it", "files": ["README.md", "README.md"]},
        )
        + "\n```\nGood luck."
    )
    plan = parse_plan(reply)
    assert plan.subtasks == (
        Subtask("cli", "add --verbose", ("src/cli.py",)),
        Subtask("docs", "document it", ("README.md",)),
    )
    assert not plan.has_overlaps


def test_bare_json_without_fence_is_read() -> None:
    plan = parse_plan("Plan: " + plan_json({"request": "do it", "files": "a.py"}))
    assert plan.subtasks[0].files == ("a.py",)
    assert plan.subtasks[0].title == "do it"


def test_subtasks_touching_the_same_file_are_flagged_before_launch() -> None:
    plan = parse_plan(
        plan_json(
            {"request": "one", "files": ["a.py", "shared.py"]},
            {"request": "two", "files": ["b.py"]},
            {"request": "three", "files": ["shared.py", "a.py"]},
        )
    )
    assert plan.has_overlaps
    assert [(o.path, o.subtasks) for o in plan.overlaps] == [
        ("a.py", (0, 2)),
        ("shared.py", (0, 2)),
    ]


@pytest.mark.parametrize(
    ("reply", "complaint"),
    [
        ("I think we should split it in two.", "no JSON"),
        ('{"subtasks": []}', "no `subtasks`"),
        ('{"subtasks": [{"title": "x"}]}', "no `request`"),
        ('{"subtasks": [{"request": "x", "files": ["../etc/passwd"]}]}', "not a path inside"),
        ('{"subtasks": [{"request": "x", "files": ["/abs.py"]}]}', "not a path inside"),
        ('{"subtasks": ["just text"]}', "not an object"),
    ],
)
def test_unusable_plans_are_refused_with_the_reason(reply: str, complaint: str) -> None:
    with pytest.raises(ParseError, match=complaint):
        parse_plan(reply)


def test_a_plan_with_more_subtasks_than_agents_is_refused() -> None:
    reply = plan_json(*({"request": f"part {i}"} for i in range(3)))
    with pytest.raises(ParseError, match="at most 2"):
        parse_plan(reply, max_subtasks=2)


def test_planner_prompt_names_the_limit_the_files_and_the_request() -> None:
    system, user = planner_messages("add a flag", ["src/cli.py"], "src/cli.py:\n  def main", 3)
    assert "at most 3 subtasks" in system["content"]
    assert '"subtasks"' in system["content"]
    assert "- src/cli.py" in user["content"] and "add a flag" in user["content"]
    assert "def main" in user["content"]


def test_find_overlaps_ignores_a_file_listed_twice_by_one_subtask() -> None:
    assert find_overlaps([Subtask("a", "a", ("x.py", "x.py"))]) == ()
