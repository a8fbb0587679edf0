"""Readers search memory while the orchestrator's journal and memory write the same file."""

from __future__ import annotations

import threading

from orchard.agents.task import RunState, TaskSpec
from orchard.memory.api import Memory
from orchard.memory.history import Outcome
from orchard.memory.journal import Journal
from orchard.memory.search import hybrid_search
from tests.support.gitrepo import GitRepo
from tests.unit.memory.conftest import state_db

TASKS = 40
READERS = 3


async def test_concurrent_readers_while_the_orchestrator_writes(
    memory: Memory, code_repo: GitRepo
) -> None:
    journal = Journal(state_db(code_repo))
    errors: list[BaseException] = []
    done = threading.Event()
    reads = [0] * READERS
    space = memory.store.space(memory.embedder.space)
    (vector,) = memory.embedder.embed_now(["backoff delay"])  # type: ignore[attr-defined]

    def write() -> None:
        try:
            for number in range(TASKS):
                task = journal.create_task(TaskSpec(f"task {number} on retry.py"))
                run = journal.add_run(task.id, "a1", "openai/alpha", f"b{number}", "/tmp/w")
                journal.set_run_state(run.id, RunState.PREPARING)
                journal.record_event(run.id, "note", {"n": number})
                memory.history.record_run(
                    task.id, f"task {number}", "a1", "m", ["src/retry.py"], Outcome.COMMITTED
                )
                journal.set_run_state(run.id, RunState.COMMITTED, commit="c0ffee")
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def read(slot: int) -> None:
        try:
            while not done.is_set() or reads[slot] == 0:
                hits = hybrid_search(memory.store, "exponential backoff delay", vector, space, 3)
                assert hits[0].name == "backoff_delay"
                memory.history.for_files(["src/retry.py"])
                reads[slot] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write)]
    threads += [threading.Thread(target=read, args=(slot,)) for slot in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    journal.close()
    assert errors == []
    assert all(count > 0 for count in reads)
    assert len(memory.history.for_files(["src/retry.py"], limit=1000)) == TASKS
    readers = {id(db) for db in memory.store._readers}
    assert len(readers) >= READERS  # each reader thread had its own connection
