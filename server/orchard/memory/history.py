"""File history: which task and agent changed which file, with what outcome, when, and what the
reviewer found; task texts are full-text searchable. Rows only: no git, no agents imported.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from orchard.memory.store import MemoryStore
from orchard.memory.terms import index_text


class Outcome(enum.StrEnum):
    """What became of a run's changes to a file (accepted comes with merging back)."""

    COMMITTED = "committed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DISCARDED = "discarded"
    ACCEPTED = "accepted"


@dataclass(frozen=True, slots=True)
class FileEvent:
    """One remembered change: a run of a task touched a file."""

    task_id: str
    agent_id: str
    model: str
    rel_path: str
    outcome: str
    request: str
    findings: tuple[str, ...]
    at: float

    def to_json(self) -> dict[str, Any]:
        """Return the event as a JSON-ready mapping."""
        return {
            "task": self.task_id,
            "agent": self.agent_id,
            "model": self.model,
            "path": self.rel_path,
            "outcome": self.outcome,
            "request": self.request,
            "findings": list(self.findings),
            "at": self.at,
        }


class FileHistory:
    """The history tables of one memory store."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def record_run(
        self,
        task_id: str,
        request: str,
        agent_id: str,
        model: str,
        files: Sequence[str],
        outcome: Outcome,
    ) -> None:
        """Remember that `agent_id` of `task_id` changed `files`, ending with `outcome`."""
        if not files:
            return
        now = time.time()
        with self.store.write() as db:
            self._ensure_task(task_id, request, now)
            for rel_path in files:
                db.execute(
                    "insert into memory_history (task_id, agent_id, model, rel_path, outcome, at)"
                    " values (?, ?, ?, ?, ?, ?) on conflict(task_id, agent_id, rel_path)"
                    " do update set outcome = excluded.outcome, at = excluded.at",
                    [task_id, agent_id, model, rel_path, str(outcome), now],
                )

    def _ensure_task(self, task_id: str, request: str, now: float) -> None:
        with self.store.write() as db:
            row = db.execute("select id from memory_tasks where task_id = ?", [task_id]).fetchone()
            if row is not None:
                return
            cursor = db.execute(
                "insert into memory_tasks (task_id, request, at) values (?, ?, ?)",
                [task_id, request, now],
            )
            db.execute(
                "insert into memory_tasks_fts (rowid, request, findings) values (?, ?, '')",
                [cursor.lastrowid, index_text(request)],
            )

    def set_outcome(self, task_id: str, outcome: Outcome, agent_id: str | None = None) -> int:
        """Mark every file change of `task_id` (of one agent, if given) with `outcome` (e.g.
        discarded, accepted); return the rows changed."""
        where, params = "task_id = ?", [task_id]
        if agent_id is not None:
            where, params = "task_id = ? and agent_id = ?", [task_id, agent_id]
        with self.store.write() as db:
            cursor = db.execute(
                f"update memory_history set outcome = ?, at = ? where {where}",
                [str(outcome), time.time(), *params],
            )
            return int(cursor.rowcount or 0)

    def add_findings(self, task_id: str, rel_path: str, findings: Sequence[str]) -> None:
        """Attach a reviewer's findings on `rel_path` to the task's history rows."""
        with self.store.write() as db:
            for row_id, stored in db.execute(
                "select id, findings from memory_history where task_id = ? and rel_path = ?",
                [task_id, rel_path],
            ).fetchall():
                merged = [*_findings(stored), *findings]
                db.execute(
                    "update memory_history set findings = ? where id = ?",
                    [json.dumps(merged), row_id],
                )
            row = db.execute("select id from memory_tasks where task_id = ?", [task_id]).fetchone()
            if row is not None:
                db.execute(
                    "update memory_tasks_fts set findings = findings || ' ' || ? where rowid = ?",
                    [index_text(" ".join(findings)), row[0]],
                )

    def for_files(self, rel_paths: Sequence[str], limit: int = 20) -> list[FileEvent]:
        """Return the newest remembered changes to any of `rel_paths`."""
        if not rel_paths:
            return []
        marks = ",".join("?" * len(rel_paths))
        rows = self.store.rows(
            "select h.task_id, h.agent_id, h.model, h.rel_path, h.outcome, t.request, h.findings,"
            " h.at from memory_history h join memory_tasks t on t.task_id = h.task_id"
            f" where h.rel_path in ({marks}) order by h.at desc, h.id desc limit ?",
            [*rel_paths, limit],
        )
        return [_event(row) for row in rows]

    def known_paths(self) -> set[str]:
        """Return every path some remembered task changed."""
        return {
            r["rel_path"] for r in self.store.rows("select distinct rel_path from memory_history")
        }

    def forget_task(self, task_id: str) -> int:
        """Remove a task's texts and history rows; return the history rows removed."""
        with self.store.write() as db:
            row = db.execute("select id from memory_tasks where task_id = ?", [task_id]).fetchone()
            if row is None:
                return 0
            removed = db.execute("delete from memory_history where task_id = ?", [task_id]).rowcount
            db.execute("delete from memory_tasks_fts where rowid = ?", [row[0]])
            db.execute("delete from memory_tasks where id = ?", [row[0]])
            return int(removed or 0)

    def forget_file(self, rel_path: str) -> int:
        """Remove a file's history rows (tasks left with none are removed too)."""
        with self.store.write() as db:
            removed = db.execute(
                "delete from memory_history where rel_path = ?", [rel_path]
            ).rowcount
            orphans = db.execute(
                "select id from memory_tasks where task_id not in"
                " (select task_id from memory_history)"
            ).fetchall()
            for (row_id,) in orphans:
                db.execute("delete from memory_tasks_fts where rowid = ?", [row_id])
                db.execute("delete from memory_tasks where id = ?", [row_id])
            return int(removed or 0)


def _findings(stored: str) -> list[str]:
    return [str(item) for item in json.loads(stored)] if stored else []


def _event(row: dict[str, Any]) -> FileEvent:
    return FileEvent(
        task_id=row["task_id"],
        agent_id=row["agent_id"],
        model=row["model"],
        rel_path=row["rel_path"],
        outcome=row["outcome"],
        request=row["request"],
        findings=tuple(_findings(row["findings"])),
        at=float(row["at"]),
    )
