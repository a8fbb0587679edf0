"""File history: a past task on a file comes back when a new task names that file; forget."""

from __future__ import annotations

import asyncio

from orchard.memory.api import Memory
from orchard.memory.history import Outcome


async def test_a_past_task_on_a_file_is_retrieved_when_a_new_task_names_that_file(
    memory: Memory,
) -> None:
    await memory.record_run(
        "t1",
        "make retries give up on auth errors",
        "a1",
        "openai/alpha",
        ["src/retry.py"],
        Outcome.FAILED,
    )
    await memory.record_run(
        "t2", "rename the cart", "a1", "openai/alpha", ["src/cart.py"], Outcome.COMMITTED
    )
    hits = await memory.prompt_hits("Add a max delay to retry.py please")
    assert hits[0].startswith("Past task t1 (agent a1, openai/alpha) changed src/retry.py")
    assert "outcome: failed" in hits[0] and "auth errors" in hits[0]
    assert not any("t2" in hit for hit in hits)
    by_path = await memory.prompt_hits("fix src/cart.py")
    assert "Past task t2" in by_path[0]


async def test_discarded_outcomes_and_findings_are_remembered(memory: Memory) -> None:
    await memory.record_run(
        "t3", "speed up total_price", "a2", "openai/beta", ["src/cart.py"], Outcome.COMMITTED
    )
    await memory.set_outcome("t3", Outcome.DISCARDED)
    await asyncio.to_thread(
        memory.history.add_findings, "t3", "src/cart.py", ["prices may be missing a key"]
    )
    (event,) = await memory.past_changes(["src/cart.py"])
    assert (event.outcome, event.findings) == ("discarded", ("prices may be missing a key",))
    hits = await memory.search("missing price key", 5)
    assert any(h.kind == "task" and h.task_id == "t3" for h in hits)
    assert (
        "Review findings: prices may be missing a key" in (await memory.prompt_hits("cart.py"))[0]
    )


async def test_related_chunks_of_other_files_follow_past_outcomes(memory: Memory) -> None:
    hits = await memory.prompt_hits("use exponential backoff delay in cart.py")
    assert any("src/retry.py" in hit and "backoff_delay" in hit for hit in hits)
    assert not any(hit.startswith("Related code in src/cart.py") for hit in hits)
