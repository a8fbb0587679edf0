"""The state database: named migrations from empty and from the `_schema` bookkeeping of before."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from orchard.memory.db import StateDatabase, connect, migrate, sqlite_errors
from orchard.memory.journal import Journal
from orchard.memory.schema import MIGRATIONS
from orchard.memory.store import MemoryStore
from orchard.memory.tag_cache import TagStore

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures/memory/state-before-named-migrations.db"


def _tables(db: sqlite_utils.Database) -> set[str]:
    return set(db.table_names())


def test_migrations_from_empty_create_every_table_and_record_names(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Journal(path), MemoryStore(path):
        pass
    TagStore(path, "v1").close()
    db = connect(path, load_vec=False)
    applied = StateDatabase.at(path).applied(db)
    assert applied[:1] == ["journal._create_tables"]
    assert [f"memory.{step.__name__}" for step in MIGRATIONS] == [
        name for name in applied if name.startswith("memory.")
    ]
    assert "repomap._schema_v1" in applied
    assert {"journal_tasks", "memory_chunks", "memory_history", "repomap_tags"} <= _tables(db)
    assert "_schema" not in _tables(db)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_database_made_by_the_previous_code_opens_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    shutil.copy(FIXTURE, path)
    with Journal(path) as journal:
        task = journal.task("t-old")
        assert task is not None and task.spec.request == "add a parse_config helper"
        assert [run.agent_id for run in journal.runs("t-old")] == ["a1"]
    store = TagStore(path, "v1")
    assert store.commits(["abc123"]) == {"abc123": ("src/config.py",)}
    store.close()
    with MemoryStore(path) as memory:
        assert memory.stats()["chunks"] == 0
    db = connect(path, load_vec=False)
    applied = StateDatabase.at(path).applied(db)
    assert {"journal._create_tables", "repomap._schema_v1"} <= set(applied)
    assert "_schema" not in _tables(db)  # its rows became named migrations


def test_a_migration_runs_once_and_a_new_one_runs_later(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    db = connect(path, load_vec=False)
    ran: list[str] = []

    def first(db: sqlite_utils.Database) -> None:
        ran.append("first")
        db.execute("create table things (id integer primary key)")

    def second(db: sqlite_utils.Database) -> None:
        ran.append("second")
        db.execute("alter table things add column name text")

    assert migrate(db, "demo", [first]) == 1
    assert migrate(db, "demo", [first]) == 1
    assert migrate(db, "demo", [first, second]) == 2
    assert ran == ["first", "second"]
    assert StateDatabase.at(path).applied(db)[-2:] == ["demo.first", "demo.second"]


def test_a_failing_migration_is_not_recorded_and_leaves_the_tables_as_they_were(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    db = connect(path, load_vec=False)

    def broken(db: sqlite_utils.Database) -> None:
        db.execute("create table half (id integer)")
        db.execute("this is not sql")

    with pytest.raises(sqlite_errors()):
        migrate(db, "demo", [broken])
    assert "demo.broken" not in StateDatabase.at(path).applied(db)
    assert "half" not in _tables(db)


def test_one_state_database_object_per_file_in_a_process(tmp_path: Path) -> None:
    assert StateDatabase.at(tmp_path / "a.db") is StateDatabase.at(tmp_path / "x" / ".." / "a.db")
    assert StateDatabase.at(tmp_path / "a.db") is not StateDatabase.at(tmp_path / "b.db")


def test_a_migrated_tag_store_opens_without_sqlite_utils_and_a_new_one_migrates(
    tmp_path: Path,
) -> None:
    # A warm repo map opens the tag store through a plain connection: its migrations are all
    # recorded, so sqlite_utils (slow to import) is not needed; a fresh file still migrates.
    path = tmp_path / "state.db"
    probe = (
        "import sys; from orchard.memory.tag_cache import TagStore;"
        f"store = TagStore({str(path)!r}, 'v1'); store.put_commits({{'abc': ('a.py',)}});"
        "print(store.commits(['abc']), 'sqlite_utils' in sys.modules)"
    )
    runs = [
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert [run.stdout.split()[-1] for run in runs] == ["True", "False"]
    assert all("{'abc': ('a.py',)}" in run.stdout for run in runs)
    db = connect(path, load_vec=False)
    assert "repomap._schema_v3" in StateDatabase.at(path).applied(db)
    assert {"repomap_tags", "repomap_stats", "repomap_graphs"} <= _tables(db)
