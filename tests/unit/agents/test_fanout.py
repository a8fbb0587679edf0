"""Which fan-out subtasks wait for another: chains of subtasks linked by shared files."""

from __future__ import annotations

from orchard.agents.fanout import overlap_chains
from orchard.agents.planner import Plan, Subtask, find_overlaps


def plan(*files: tuple[str, ...]) -> Plan:
    subtasks = [Subtask(f"s{n}", f"do {n}", paths) for n, paths in enumerate(files)]
    return Plan(tuple(subtasks), find_overlaps(subtasks))


AGENTS = ["a1", "a2", "a3", "a4"]


def test_subtasks_on_separate_files_never_wait() -> None:
    assert overlap_chains(plan(("x",), ("y",), ("z",), ("w",)), AGENTS) == {}


def test_a_chain_through_shared_files_runs_in_plan_order() -> None:
    chains = overlap_chains(plan(("x",), ("x", "y"), ("y",), ("w",)), AGENTS)
    assert chains == {"a2": "a1", "a3": "a2"}


def test_non_adjacent_sharers_wait_for_the_one_before_them_in_their_chain() -> None:
    chains = overlap_chains(plan(("x",), ("y",), ("x",), ("y",)), AGENTS)
    assert chains == {"a3": "a1", "a4": "a2"}
