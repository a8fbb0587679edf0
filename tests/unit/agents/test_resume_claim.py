"""The journal's claim on an interrupted run: one process wins, live runs are never taken."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orchard.agents.task import RunState, TaskSpec
from orchard.errors import RunConflict
from orchard.memory.journal import Journal

DEAD_WRITER = """
import sys
from orchard.memory.journal import Journal
from orchard.agents.task import RunState, TaskSpec
j = Journal(sys.argv[1])
j.create_task(TaskSpec(request="r"), task_id="t1")
for agent in ("a1", "a2"):
    run = j.add_run("t1", agent, "m", "b-" + agent, "/wt/" + agent)
    j.set_run_state(run.id, RunState.EDITING)
j.record_event("t1/a1", "usage", {"prompt_tokens": 70, "completion_tokens": 30, "cost_usd": 0.5})
j.record_event("t1/a2", "usage", {"prompt_tokens": 5, "completion_tokens": 5, "cost_usd": 0.25})
"""


@pytest.fixture
def interrupted(tmp_path: Path) -> Path:
    path = tmp_path / "state.db"
    subprocess.run([sys.executable, "-c", DEAD_WRITER, str(path)], check=True)
    with Journal(path) as journal:
        journal.recover()
    return path


def test_resuming_a_run_queues_it_again_with_a_resumed_event(interrupted: Path) -> None:
    with Journal(interrupted) as journal:
        run = journal.resume_run("t1/a1")
        assert run.state is RunState.QUEUED and run.branch == "b-a1"
        kinds = [(e.kind, e.data.get("to")) for e in journal.events("t1/a1")][-3:]
        assert kinds == [("state", "interrupted"), ("resumed", None), ("state", "queued")]
        assert journal.run("t1/a2").state is RunState.INTERRUPTED  # type: ignore[union-attr]


def test_only_one_of_two_journals_claims_the_same_run(interrupted: Path) -> None:
    with Journal(interrupted) as first, Journal(interrupted) as second:
        first.resume_run("t1/a1")
        with pytest.raises(RunConflict, match="not interrupted"):
            second.resume_run("t1/a1")
        assert [e.kind for e in first.events("t1/a1")].count("resumed") == 1


def test_a_run_of_a_live_process_cannot_be_claimed(tmp_path: Path) -> None:
    with Journal(tmp_path / "state.db") as journal:
        journal.create_task(TaskSpec(request="r"), task_id="t1")
        run = journal.add_run("t1", "a1", "m", "b", "/wt")
        journal.set_run_state(run.id, RunState.EDITING)
        assert journal.recover() == []
        with pytest.raises(RunConflict, match="editing, not interrupted"):
            journal.resume_run(run.id)


def test_spent_sums_every_usage_record_of_the_task(interrupted: Path) -> None:
    with Journal(interrupted) as journal:
        tokens, cost = journal.spent("t1")
    assert tokens == 110 and cost == pytest.approx(0.75)
