"""The journal keeps tasks, runs and events in SQLite, across threads and restarts."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from orchard.agents.task import (
    RunState,
    TaskLimits,
    TaskMode,
    TaskSpec,
    TaskState,
    agent_id_for,
    new_task_id,
)
from orchard.errors import RunConflict, TaskNotFound
from orchard.memory.journal import Journal
from orchard.vcs.names import check_id

SPEC = TaskSpec(
    request="add type hints to util.py",
    mode=TaskMode.BEST_OF_N,
    models=("openai/gpt-4o", "ollama/qwen2.5-coder"),
    editable=("src/util.py",),
    read_only=("README.md",),
    limits=TaskLimits(max_tokens=5000, test_timeout=30.0),
)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal(tmp_path / "state.db") as opened:
        yield opened


def test_task_round_trips_with_its_spec(journal: Journal) -> None:
    task = journal.create_task(SPEC, task_id="t1")

    assert journal.task("t1") == task
    assert task.spec == SPEC
    assert task.state is TaskState.RUNNING
    assert journal.task("missing") is None


def test_a_named_task_id_that_is_taken_is_refused(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")

    with pytest.raises(RunConflict, match="t1"):
        journal.create_task(SPEC, task_id="t1")
    assert journal.task("t1").spec == SPEC  # type: ignore[union-attr]


def test_a_generated_task_id_that_is_taken_is_drawn_again(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tasks in one second may draw the same 4-hex suffix; the second draws again."""
    taken = journal.create_task(SPEC).id
    draws = iter([taken, taken, "20261202-000000-beef"])
    monkeypatch.setattr("orchard.memory.journal.new_task_id", lambda: next(draws))

    task = journal.create_task(SPEC)

    assert task.id == "20261202-000000-beef"
    assert {t.id for t in journal.tasks()} == {taken, task.id}


def test_task_state_and_snapshot_are_updated(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")

    journal.set_task_state("t1", TaskState.RUNNING, snapshot="abc123")
    done = journal.set_task_state("t1", TaskState.DONE)

    assert done.state is TaskState.DONE
    assert done.snapshot == "abc123"


def test_runs_move_through_states_and_log_each_move(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")
    run = journal.add_run("t1", "a1-gpt-4o", "openai/gpt-4o", "orchard/t1/a1-gpt-4o", "/wt/a1")

    for state in (RunState.PREPARING, RunState.EDITING, RunState.LINTING, RunState.TESTING):
        journal.set_run_state(run.id, state)
    final = journal.set_run_state(run.id, RunState.COMMITTED, commit="f00d")

    assert final.state is RunState.COMMITTED and final.commit == "f00d"
    moves = [(e.data.get("from"), e.data["to"]) for e in journal.events(run.id)]
    assert moves == [
        (None, "queued"),
        ("queued", "preparing"),
        ("preparing", "editing"),
        ("editing", "linting"),
        ("linting", "testing"),
        ("testing", "committed"),
    ]
    assert journal.runs("t1") == [final]


def test_an_ended_run_cannot_start_again(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")
    run = journal.add_run("t1", "a1", "m", "orchard/t1/a1", "/wt")
    journal.set_run_state(run.id, RunState.FAILED, error="model unavailable")

    with pytest.raises(RunConflict, match="already ended as failed"):
        journal.set_run_state(run.id, RunState.EDITING)
    assert journal.set_run_state(run.id, RunState.FAILED).error == "model unavailable"


def test_events_are_appended_in_order_with_their_data(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")
    run = journal.add_run("t1", "a1", "m", "orchard/t1/a1", "/wt")

    first = journal.record_event(run.id, "reply", {"tokens": 120, "path": Path("x.py")})
    second = journal.record_event(run.id, "lint", {"errors": ["E1"]})

    assert second.seq > first.seq
    assert first.data == {"tokens": 120, "path": "x.py"}
    tail = journal.events(run.id, after=first.seq)
    assert [e.kind for e in tail] == ["lint"] and tail[0].task_id == "t1"


def test_unknown_ids_are_refused(journal: Journal) -> None:
    with pytest.raises(TaskNotFound):
        journal.set_task_state("nope", TaskState.DONE)
    with pytest.raises(TaskNotFound):
        journal.record_event("nope/a1", "x", {})


def test_discard_hides_the_task_and_cancels_unfinished_runs(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")
    journal.create_task(SPEC, task_id="t2")
    done = journal.add_run("t1", "a1", "m", "b1", "/wt1")
    journal.set_run_state(done.id, RunState.COMMITTED, commit="c0ffee")
    busy = journal.add_run("t1", "a2", "m", "b2", "/wt2")
    journal.set_run_state(busy.id, RunState.EDITING)

    journal.discard("t1")

    assert [t.id for t in journal.tasks()] == ["t2"]
    assert [t.id for t in journal.tasks(include_discarded=True)] == ["t2", "t1"]
    states = {r.agent_id: r.state for r in journal.runs("t1")}
    assert states == {"a1": RunState.COMMITTED, "a2": RunState.CANCELLED}


def test_writes_from_many_threads_are_all_kept(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")
    runs = [journal.add_run("t1", f"a{n}", "m", f"b{n}", f"/wt{n}") for n in range(4)]

    def write(run_id: str) -> None:
        for n in range(50):
            journal.record_event(run_id, "progress", {"n": n})

    threads = [threading.Thread(target=write, args=(run.id,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for run in runs:
        progress = [e.data["n"] for e in journal.events(run.id) if e.kind == "progress"]
        assert progress == list(range(50))


def test_reopening_the_database_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Journal(path) as first:
        first.create_task(SPEC, task_id="t1")
        run = first.add_run("t1", "a1", "m", "b1", "/wt")
        first.record_event(run.id, "note", {"text": "kept"})

    with Journal(path) as second:
        assert second.task("t1") is not None
        assert [e.kind for e in second.events(run.id)] == ["state", "note"]


def test_recover_marks_runs_of_an_ended_process_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    script = f"""
from orchard.memory.journal import Journal
from orchard.agents.task import RunState, TaskSpec
j = Journal({str(path)!r})
j.create_task(TaskSpec(request="r"), task_id="t1")
for agent, state in (("a1", RunState.EDITING), ("a2", RunState.COMMITTED), ("a3", RunState.QUEUED)):
    run = j.add_run("t1", agent, "m", "b", "/wt")
    if state is not RunState.QUEUED:
        j.set_run_state(run.id, state)
"""
    subprocess.run([sys.executable, "-c", script], check=True)

    with Journal(path) as journal:
        recovered = journal.recover()
        states = {r.agent_id: r.state for r in journal.runs("t1")}
        task = journal.task("t1")
        again = journal.recover()

    assert sorted(r.agent_id for r in recovered) == ["a1", "a3"]
    assert states == {
        "a1": RunState.INTERRUPTED,
        "a2": RunState.COMMITTED,
        "a3": RunState.INTERRUPTED,
    }
    assert task is not None and task.state is TaskState.INTERRUPTED
    assert again == []


def test_recover_leaves_runs_of_a_live_process_alone(journal: Journal) -> None:
    journal.create_task(SPEC, task_id="t1")
    run = journal.add_run("t1", "a1", "m", "b1", "/wt")
    journal.set_run_state(run.id, RunState.EDITING)

    assert journal.recover() == []
    assert journal.run(run.id).state is RunState.EDITING  # type: ignore[union-attr]


def test_an_interrupted_run_can_be_resumed(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    script = f"""
from orchard.memory.journal import Journal
from orchard.agents.task import RunState, TaskSpec
j = Journal({str(path)!r})
j.create_task(TaskSpec(request="r"), task_id="t1")
j.set_run_state(j.add_run("t1", "a1", "m", "b", "/wt").id, RunState.LINTING)
"""
    subprocess.run([sys.executable, "-c", script], check=True)

    with Journal(path) as journal:
        (run,) = journal.recover()
        resumed = journal.set_run_state(run.id, RunState.EDITING)
        journal.set_task_state("t1", TaskState.RUNNING)

        assert resumed.state is RunState.EDITING
        assert journal.recover() == []  # this live process owns it now


def test_ids_are_valid_branch_components() -> None:
    task_id = new_task_id(0)
    assert task_id.startswith("19700101-000000-")
    assert check_id(task_id) == task_id
    assert agent_id_for("openai/GPT-4o", 1) == "a1-gpt-4o"
    assert check_id(agent_id_for("weird model:7b.lock", 2)) == "a2-weird-model-7b"
