"""The task journal: every task, agent run and event persisted in SQLite (WAL), so a restart
finds tasks in their last state and runs of a dead process marked interrupted.
Task and run rows hold the latest state; events are append-only. No git, no models here.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils

from orchard.agents.owner import ProcessOwner, current_owner, is_alive
from orchard.agents.processes import end_leftover_groups
from orchard.agents.task import (
    AgentRun,
    RunEvent,
    RunState,
    Task,
    TaskSpec,
    TaskState,
    new_task_id,
    run_id_for,
)
from orchard.errors import RunConflict, TaskNotFound
from orchard.memory.db import connect, migrate

log = logging.getLogger(__name__)

_ID_ATTEMPTS = 8


def _create_tables(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        create table journal_tasks (
            id text primary key,
            state text not null,
            mode text not null,
            request text not null,
            spec text not null,
            snapshot text,
            error text,
            owner text,
            created_at real not null,
            updated_at real not null
        );
        create table journal_runs (
            id text primary key,
            task_id text not null references journal_tasks(id),
            agent_id text not null,
            model text not null,
            branch text not null,
            worktree text not null,
            state text not null,
            commit_sha text,
            error text,
            owner text,
            created_at real not null,
            updated_at real not null,
            unique (task_id, agent_id)
        );
        create index journal_runs_task on journal_runs(task_id);
        create table journal_events (
            seq integer primary key autoincrement,
            run_id text not null references journal_runs(id),
            task_id text not null,
            kind text not null,
            data text not null,
            at real not null
        );
        create index journal_events_run on journal_events(run_id, seq);
        """
    )


SCHEMA = (_create_tables,)


class Journal:
    """The journal of one repository's state database; safe to share between threads."""

    def __init__(self, db_path: Path | str) -> None:
        self.path = Path(db_path)
        self._db = connect(db_path, load_vec=False)
        self._lock = threading.RLock()
        self._owner = str(current_owner())
        migrate(self._db, "journal", SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite_utils.Database]:
        with self._lock, self._db.conn:
            yield self._db

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._db.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # Tasks ---------------------------------------------------------------------------------

    def create_task(self, spec: TaskSpec, task_id: str | None = None) -> Task:
        """Record a new running task for `spec`; return it.

        A generated id that happens to be taken (two tasks in the same second drawing the same
        random suffix) is drawn again; an id the caller names must be free.
        """
        for _ in range(_ID_ATTEMPTS):
            chosen = task_id or new_task_id()
            if self._insert_task(chosen, spec):
                return self._task_or_raise(chosen)
            if task_id is not None:
                raise RunConflict(f"task {task_id} already exists")
        raise RunConflict("could not draw a free task id; try again")

    def _insert_task(self, task_id: str, spec: TaskSpec) -> bool:
        """Insert the task row; return False when the id is already taken."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "insert into journal_tasks (id, state, mode, request, spec, owner, created_at,"
                " updated_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict(id) do nothing",
                [
                    task_id,
                    TaskState.RUNNING,
                    spec.mode,
                    spec.request,
                    _dump(spec.to_json()),
                    self._owner,
                    now,
                    now,
                ],
            )
            return cursor.rowcount == 1

    def set_task_state(
        self,
        task_id: str,
        state: TaskState,
        *,
        snapshot: str | None = None,
        error: str | None = None,
    ) -> Task:
        """Move a task to `state`, recording its snapshot commit or error when given."""
        with self._write() as db:
            cursor = db.execute(
                "update journal_tasks set state = ?, snapshot = coalesce(?, snapshot),"
                " error = ?, owner = ?, updated_at = ? where id = ?",
                [state, snapshot, error, self._owner, time.time(), task_id],
            )
            if cursor.rowcount == 0:
                raise TaskNotFound(f"no task {task_id!r} in the journal")
        return self._task_or_raise(task_id)

    def tasks(self, include_discarded: bool = False) -> list[Task]:
        """Return tasks, newest first; discarded ones only when asked."""
        where = "" if include_discarded else "where state != 'discarded'"
        rows = self._rows(
            f"select * from journal_tasks {where} order by created_at desc, id desc", []
        )
        return [_task(row) for row in rows]

    def task(self, task_id: str) -> Task | None:
        """Return one task, or None if the journal has no such task."""
        rows = self._rows("select * from journal_tasks where id = ?", [task_id])
        return _task(rows[0]) if rows else None

    def discard(self, task_id: str) -> Task:
        """Mark a task discarded and end its unfinished runs as cancelled; its history is kept."""
        now = time.time()
        with self._write() as db:
            for run in self.runs(task_id):
                if not run.state.is_final:
                    self._move_run(db, run, RunState.CANCELLED, now, reason="task discarded")
        return self.set_task_state(task_id, TaskState.DISCARDED)

    def _task_or_raise(self, task_id: str) -> Task:
        task = self.task(task_id)
        if task is None:
            raise TaskNotFound(f"no task {task_id!r} in the journal")
        return task

    # Runs ----------------------------------------------------------------------------------

    def add_run(
        self, task_id: str, agent_id: str, model: str, branch: str, worktree: Path | str
    ) -> AgentRun:
        """Record a queued run of `agent_id` on `task_id`, owned by this process; return it."""
        run_id = run_id_for(task_id, agent_id)
        now = time.time()
        with self._write() as db:
            db.execute(
                "insert into journal_runs (id, task_id, agent_id, model, branch, worktree, state,"
                " owner, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    task_id,
                    agent_id,
                    model,
                    branch,
                    str(worktree),
                    RunState.QUEUED,
                    self._owner,
                    now,
                    now,
                ],
            )
            self._append(db, run_id, task_id, "state", {"to": RunState.QUEUED}, now)
        return self._run_or_raise(run_id)

    def set_run_state(
        self,
        run_id: str,
        state: RunState,
        *,
        commit: str | None = None,
        error: str | None = None,
    ) -> AgentRun:
        """Move a run to `state` (logged as a `state` event); this process becomes its owner.

        A run that ended (committed, failed, cancelled) cannot move again; an interrupted run
        can be resumed (any in-flight state) or ended.
        """
        with self._write() as db:
            run = self._run_or_raise(run_id)
            if run.state.is_final and state != run.state:
                raise RunConflict(
                    f"run {run_id} already ended as {run.state}; it cannot become {state}"
                )
            self._move_run(db, run, state, time.time(), commit=commit, error=error)
        return self._run_or_raise(run_id)

    def resume_run(self, run_id: str) -> AgentRun:
        """Claim an interrupted run for this process and queue it again (a `resumed` event).

        The claim is one conditional update, so of two processes resuming the same run only
        one wins; a run that is not interrupted (ended, or in flight in a live process) raises
        RunConflict.
        """
        now = time.time()
        with self._write() as db:
            run = self._run_or_raise(run_id)
            cursor = db.execute(
                "update journal_runs set state = ?, owner = ?, updated_at = ?"
                " where id = ? and state = ?",
                [RunState.QUEUED, self._owner, now, run_id, RunState.INTERRUPTED],
            )
            if cursor.rowcount == 0:
                raise RunConflict(f"run {run_id} is {run.state}, not interrupted; it cannot resume")
            was = {"from": RunState.INTERRUPTED}
            self._append(db, run_id, run.task_id, "resumed", was, now)
            data = {**was, "to": RunState.QUEUED, "reason": "resumed"}
            self._append(db, run_id, run.task_id, "state", data, now)
        return self._run_or_raise(run_id)

    def runs(self, task_id: str) -> list[AgentRun]:
        """Return the runs of a task in the order they were added."""
        rows = self._rows("select * from journal_runs where task_id = ? order by rowid", [task_id])
        return [_run(row) for row in rows]

    def run(self, run_id: str) -> AgentRun | None:
        """Return one run, or None."""
        rows = self._rows("select * from journal_runs where id = ?", [run_id])
        return _run(rows[0]) if rows else None

    def _run_or_raise(self, run_id: str) -> AgentRun:
        run = self.run(run_id)
        if run is None:
            raise TaskNotFound(f"no run {run_id!r} in the journal")
        return run

    def _move_run(
        self,
        db: sqlite_utils.Database,
        run: AgentRun,
        state: RunState,
        now: float,
        *,
        commit: str | None = None,
        error: str | None = None,
        reason: str | None = None,
        owner: str | None = None,
    ) -> None:
        db.execute(
            "update journal_runs set state = ?, commit_sha = coalesce(?, commit_sha),"
            " error = coalesce(?, error), owner = ?, updated_at = ? where id = ?",
            [state, commit, error, owner or self._owner, now, run.id],
        )
        data: dict[str, Any] = {"from": run.state, "to": state}
        data.update(
            {k: v for k, v in (("commit", commit), ("error", error), ("reason", reason)) if v}
        )
        self._append(db, run.id, run.task_id, "state", data, now)

    # Events --------------------------------------------------------------------------------

    def record_event(
        self, run_id: str, kind: str, data: Mapping[str, Any] | None = None
    ) -> RunEvent:
        """Append an event to a run's log and return it."""
        with self._write() as db:
            run = self._run_or_raise(run_id)
            seq = self._append(db, run_id, run.task_id, kind, data or {}, time.time())
        return self._events("where seq = ?", [seq])[0]

    def events(self, run_id: str, after: int = 0) -> list[RunEvent]:
        """Return a run's events in order (only those with `seq` above `after`, if given)."""
        return self._events("where run_id = ? and seq > ?", [run_id, after])

    def events_of_kind(self, kind: str) -> list[RunEvent]:
        """Return every run's events of one kind, oldest first (e.g. all `published` pushes)."""
        return self._events("where kind = ?", [kind])

    def task_events(self, task_id: str, kinds: Sequence[str]) -> list[RunEvent]:
        """Return the events of the given kinds of every run of a task, in order."""
        if not kinds:
            return []
        marks = ", ".join("?" for _ in kinds)
        return self._events(f"where task_id = ? and kind in ({marks})", [task_id, *kinds])

    def _events(self, where: str, params: list[Any]) -> list[RunEvent]:
        rows = self._rows(f"select * from journal_events {where} order by seq", params)
        return [
            RunEvent(r["seq"], r["run_id"], r["task_id"], r["kind"], json.loads(r["data"]), r["at"])
            for r in rows
        ]

    def spent(self, task_id: str) -> tuple[int, float]:
        """Return the tokens and cost of every model call journaled for a task's runs."""
        tokens, cost = 0, 0.0
        rows = self._rows(
            "select data from journal_events where task_id = ? and kind = 'usage'", [task_id]
        )
        for row in rows:
            data = json.loads(row["data"])
            tokens += int(data.get("prompt_tokens", 0)) + int(data.get("completion_tokens", 0))
            cost += float(data.get("cost_usd", 0.0))
        return tokens, cost

    @staticmethod
    def _append(
        db: sqlite_utils.Database,
        run_id: str,
        task_id: str,
        kind: str,
        data: Mapping[str, Any],
        now: float,
    ) -> int:
        cursor = db.execute(
            "insert into journal_events (run_id, task_id, kind, data, at) values (?, ?, ?, ?, ?)",
            [run_id, task_id, kind, _dump(data), now],
        )
        return int(cursor.lastrowid or 0)

    def live_task_ids(self) -> set[str]:
        """Return the tasks some live process works on: an active task whose owner lives, or
        any task with an in-flight run whose owner lives (pruning must spare their worktrees)."""
        live: set[str] = set()
        active = [state for state in TaskState if state.is_active]
        marks = ", ".join("?" for _ in active)
        for row in self._rows(
            f"select id, owner from journal_tasks where state in ({marks})", active
        ):
            if is_alive(ProcessOwner.parse(row["owner"])):
                live.add(row["id"])
        in_flight = [state for state in RunState if state.in_flight]
        marks = ", ".join("?" for _ in in_flight)
        sql = f"select task_id, owner from journal_runs where state in ({marks})"
        for row in self._rows(sql, in_flight):
            if is_alive(ProcessOwner.parse(row["owner"])):
                live.add(row["task_id"])
        return live

    # Recovery ------------------------------------------------------------------------------

    def recover(self) -> list[AgentRun]:
        """Mark in-flight runs of dead processes interrupted, and their tasks; end the command
        process groups those runs left running; return those runs.

        Call at start-up. Runs owned by a live process (this one, or another Orchard working
        on the same repository) are left alone.
        """
        now = time.time()
        recovered: list[str] = []
        in_flight = [state for state in RunState if state.in_flight]
        marks = ", ".join("?" for _ in in_flight)
        with self._write() as db:
            rows = self._rows(f"select * from journal_runs where state in ({marks})", in_flight)
            for row in rows:
                if is_alive(ProcessOwner.parse(row["owner"])):
                    continue
                run = _run(row)
                reason = "the process running it ended"
                self._move_run(
                    db, run, RunState.INTERRUPTED, now, reason=reason, owner=row["owner"]
                )
                recovered.append(run.id)
            active = [state for state in TaskState if state.is_active]
            marks = ", ".join("?" for _ in active)
            for row in self._rows(f"select * from journal_tasks where state in ({marks})", active):
                if not is_alive(ProcessOwner.parse(row["owner"])):
                    db.execute(
                        "update journal_tasks set state = ?, updated_at = ? where id = ?",
                        [TaskState.INTERRUPTED, now, row["id"]],
                    )
        if recovered:
            log.warning("marked %d runs interrupted after a restart: %s", len(recovered), recovered)
        end_leftover_groups(self, recovered)
        return [self._run_or_raise(run_id) for run_id in recovered]


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str, sort_keys=True)


def _task(row: Mapping[str, Any]) -> Task:
    return Task(
        id=row["id"],
        spec=TaskSpec.from_json(json.loads(row["spec"])),
        state=TaskState(row["state"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        snapshot=row["snapshot"],
        error=row["error"],
    )


def _run(row: Mapping[str, Any]) -> AgentRun:
    return AgentRun(
        id=row["id"],
        task_id=row["task_id"],
        agent_id=row["agent_id"],
        model=row["model"],
        branch=row["branch"],
        worktree=row["worktree"],
        state=RunState(row["state"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        commit=row["commit_sha"],
        error=row["error"],
    )
