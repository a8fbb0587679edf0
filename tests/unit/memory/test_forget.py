"""`forget` leaves no rows or vectors behind (checked table by table on the real file)."""

from __future__ import annotations

from orchard.memory.api import Memory
from orchard.memory.history import Outcome


def _count(memory: Memory, sql: str) -> int:
    return int(memory.store.reader().execute(sql).fetchone()[0])


def _vector_rows(memory: Memory) -> int:
    space = memory.store.space(memory.embedder.space)
    assert space is not None
    return _count(memory, f"select count(*) from {space.table}")


async def test_forgetting_a_file_removes_its_chunks_text_rows_vectors_and_history(
    memory: Memory,
) -> None:
    await memory.record_run("t1", "retry less", "a1", "m", ["src/retry.py"], Outcome.COMMITTED)
    ids = [c.id for c in memory.store.chunks("src/retry.py")]
    assert ids
    vectors, chunks = _vector_rows(memory), len(memory.store.chunks())
    removed = await memory.forget(file="src/retry.py")
    assert removed == {"file": "src/retry.py", "chunks": len(ids), "history": 1}
    marks = ",".join(str(i) for i in ids)
    space = memory.store.space(memory.embedder.space)
    assert space is not None
    assert _count(memory, f"select count(*) from memory_chunks_fts where rowid in ({marks})") == 0
    assert _count(memory, f"select count(*) from {space.table} where rowid in ({marks})") == 0
    assert _vector_rows(memory) == vectors - len(ids)
    assert len(memory.store.chunks()) == chunks - len(ids)
    assert _count(memory, "select count(*) from memory_history") == 0
    assert _count(memory, "select count(*) from memory_tasks") == 0
    assert _count(memory, "select count(*) from memory_tasks_fts") == 0
    orphans = (
        "select count(*) from memory_embeddings where sha not in (select sha from memory_chunks)"
    )
    assert _count(memory, orphans) == 0


async def test_forgetting_a_task_and_then_everything(memory: Memory) -> None:
    await memory.record_run("t1", "retry less", "a1", "m", ["src/retry.py"], Outcome.COMMITTED)
    await memory.record_run("t2", "cart more", "a1", "m", ["src/cart.py"], Outcome.FAILED)
    assert await memory.forget(task="t1") == {"task": "t1", "history": 1}
    assert [e.task_id for e in await memory.past_changes(["src/retry.py", "src/cart.py"])] == ["t2"]
    await memory.forget(everything=True)
    for table in (
        "memory_files",
        "memory_chunks",
        "memory_chunks_fts",
        "memory_embeddings",
        "memory_spaces",
        "memory_tasks",
        "memory_tasks_fts",
        "memory_history",
    ):
        assert _count(memory, f"select count(*) from {table}") == 0, table
    vec_tables = _count(memory, "select count(*) from sqlite_master where name like 'memory_vec_%'")
    assert vec_tables == 0
