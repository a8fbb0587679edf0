"""The memory area's tables, created by named migrations: files, chunks, their full-text index,
embedding spaces and cached vectors, tasks and per-file history. Vector tables (`vec0`, one per
embedding space) are made when a space is first used, not here. Must not query or write rows.
"""

from __future__ import annotations

import sqlite_utils

from orchard.memory.db import execute_statements

AREA = "memory"


def memory_001_files_and_chunks(db: sqlite_utils.Database) -> None:
    """Indexed files (by content sha, unsaved buffers marked) and their chunks, with FTS5."""
    execute_statements(
        db,
        """
        create table memory_files (
            rel_path text primary key,
            sha text not null,
            unsaved integer not null default 0,
            indexed_at real not null
        );
        create table memory_chunks (
            id integer primary key,
            rel_path text not null references memory_files(rel_path) on delete cascade,
            start_line integer not null,
            end_line integer not null,
            name text not null,
            kind text not null,
            sha text not null,
            body text not null
        );
        create index memory_chunks_path on memory_chunks(rel_path);
        create index memory_chunks_sha on memory_chunks(sha);
        create virtual table memory_chunks_fts using fts5(name, path, body);
        """,
    )


def memory_002_embeddings(db: sqlite_utils.Database) -> None:
    """Embedding spaces (one per model and size) and vectors cached by chunk content sha."""
    execute_statements(
        db,
        """
        create table memory_spaces (
            id integer primary key,
            name text not null unique,
            dimensions integer not null,
            created_at real not null
        );
        create table memory_embeddings (
            id integer primary key,
            space_id integer not null references memory_spaces(id) on delete cascade,
            sha text not null,
            vector blob not null,
            unique (space_id, sha)
        );
        """,
    )


def memory_003_history(db: sqlite_utils.Database) -> None:
    """Tasks as remembered (request, findings, searchable) and which run changed which file."""
    execute_statements(
        db,
        """
        create table memory_tasks (
            id integer primary key,
            task_id text not null unique,
            request text not null,
            at real not null
        );
        create virtual table memory_tasks_fts using fts5(request, findings);
        create table memory_history (
            id integer primary key,
            task_id text not null references memory_tasks(task_id) on delete cascade,
            agent_id text not null,
            model text not null,
            rel_path text not null,
            outcome text not null,
            findings text not null default '',
            at real not null,
            unique (task_id, agent_id, rel_path)
        );
        create index memory_history_path on memory_history(rel_path);
        """,
    )


MIGRATIONS = (memory_001_files_and_chunks, memory_002_embeddings, memory_003_history)
