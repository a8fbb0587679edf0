"""The one home of SQLite: one `StateDatabase` per state-database file and process.

It sets up every connection (standard `sqlite3` when it can load extensions, else `sqlean`;
WAL, busy timeout, sqlite-vec) and runs migrations keyed by name, recorded in `_migrations` as
applied (as simonw/llm does), taking over the older `_schema (area, version)` bookkeeping
without losing data. It owns no table of its own beyond that bookkeeping.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

# sqlite_utils (45 ms to import) is imported where a connection is wrapped: a warm repo map
# reads through a plain connection whose migrations are all applied, and never needs it.
SchemaStep = Callable[["sqlite_utils.Database"], None]
BUSY_TIMEOUT_MS = 30_000
MEMORY = ":memory:"


def _sqlite_module() -> Any:
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    import sqlean

    return sqlean


def sqlite_errors(conn: object | None = None) -> tuple[type[Exception], ...]:
    """Return the error classes a connection may raise (sqlean's do not derive from sqlite3's)."""
    module = _sqlite_module()
    other = getattr(module, "Error", sqlite3.Error)
    return (sqlite3.Error, other) if other is not sqlite3.Error else (sqlite3.Error,)


def migration_name(area: str, step: SchemaStep) -> str:
    """Return the name under which `step` of `area` is recorded as applied."""
    return f"{area}.{step.__name__}"


class StateDatabase:
    """One state-database file in this process: its connection setup and its migrations."""

    _open: ClassVar[dict[str, StateDatabase]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()

    @classmethod
    def at(cls, path: Path | str) -> StateDatabase:
        """Return this process's object for the database at `path` (made on first use)."""
        key = str(path) if str(path) == MEMORY else str(Path(path).resolve())
        if key == MEMORY:
            return cls(MEMORY)  # every in-memory database is its own
        with cls._registry_lock:
            if key not in cls._open:
                cls._open[key] = cls(key)
            return cls._open[key]

    def connect(self, *, load_vec: bool = True) -> sqlite_utils.Database:
        """Open a new connection (WAL, busy timeout, sqlite-vec when asked and available)."""
        import sqlite_utils

        db = sqlite_utils.Database(self.connection())
        if load_vec:
            load_vector_extension(db)
        return db

    def connection(self) -> Any:
        """Open a new plain DB-API connection, set up as `connect` sets one up (no sqlite-vec)."""
        module = _sqlite_module()
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = module.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.path != MEMORY:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def ensure_migrated(self, conn: Any, area: str, steps: Sequence[SchemaStep]) -> None:
        """Apply `area`'s missing steps to a plain connection (a look at `_migrations` when
        none is missing)."""
        try:
            applied = {str(row[0]) for row in conn.execute("select name from _migrations")}
        except sqlite_errors():
            applied = set()  # no bookkeeping yet
        if all(migration_name(area, step) in applied for step in steps):
            return
        import sqlite_utils

        self.migrate(sqlite_utils.Database(conn), area, steps)

    def migrate(self, db: sqlite_utils.Database, area: str, steps: Sequence[SchemaStep]) -> int:
        """Apply the steps of `area` not yet recorded, in order; return how many are applied."""
        with self._lock:
            _ensure_bookkeeping(db)
            _adopt_legacy(db, area, steps)
            applied = _applied(db)
            for step in steps:
                name = migration_name(area, step)
                if name in applied:
                    continue
                _apply(db, name, step)
                log.info("applied migration %s to %s", name, self.path)
                applied.add(name)
            return sum(1 for step in steps if migration_name(area, step) in applied)

    def applied(self, db: sqlite_utils.Database) -> list[str]:
        """Return the names of the migrations applied to the database, in order."""
        _ensure_bookkeeping(db)
        rows = db.execute("select name from _migrations order by id").fetchall()
        return [str(row[0]) for row in rows]


def _apply(db: sqlite_utils.Database, name: str, step: SchemaStep) -> None:
    """Run one step and record it in one transaction (DDL included, unless it uses
    `executescript`, which commits first: steps should use `execute_statements`)."""
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("begin immediate")
    try:
        step(db)
        db.execute("insert into _migrations (name, applied_at) values (?, ?)", [name, time.time()])
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    if conn.in_transaction:
        conn.commit()


def execute_statements(db: sqlite_utils.Database, script: str) -> None:
    """Run `;`-separated statements one by one, inside the caller's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _ensure_bookkeeping(db: sqlite_utils.Database) -> None:
    db.execute(
        "create table if not exists _migrations ("
        " id integer primary key, name text not null unique, applied_at real not null)"
    )


def _applied(db: sqlite_utils.Database) -> set[str]:
    return {str(row[0]) for row in db.execute("select name from _migrations").fetchall()}


def _adopt_legacy(db: sqlite_utils.Database, area: str, steps: Sequence[SchemaStep]) -> None:
    """Record the first `version` steps of `area` as applied when `_schema` says they ran."""
    if not db["_schema"].exists():
        return
    row = db.execute("select version from _schema where area = ?", [area]).fetchone()
    if row is None:
        return
    with db.conn:
        for step in steps[: int(row[0])]:
            db.execute(
                "insert or ignore into _migrations (name, applied_at) values (?, ?)",
                [migration_name(area, step), time.time()],
            )
        db.execute("delete from _schema where area = ?", [area])
        if db.execute("select count(*) from _schema").fetchone()[0] == 0:
            db.execute("drop table _schema")
    log.info("took over %s's schema version %s as named migrations", area, row[0])


def connect(path: Path | str, *, load_vec: bool = True) -> sqlite_utils.Database:
    """Open a connection to the state database at `path` through its `StateDatabase`."""
    return StateDatabase.at(path).connect(load_vec=load_vec)


def connection(path: Path | str) -> Any:
    """Open a plain connection to the state database at `path` (see `StateDatabase`)."""
    return StateDatabase.at(path).connection()


def ensure_migrated(conn: Any, path: Path | str, area: str, steps: Sequence[SchemaStep]) -> None:
    """Apply `area`'s missing migrations through a plain connection to the database at `path`."""
    StateDatabase.at(path).ensure_migrated(conn, area, steps)


def migrate(db: sqlite_utils.Database, area: str, steps: Sequence[SchemaStep]) -> int:
    """Apply `area`'s named migrations to `db` (see `StateDatabase.migrate`)."""
    return StateDatabase.at(_database_path(db)).migrate(db, area, steps)


def _database_path(db: sqlite_utils.Database) -> str:
    row = db.execute("pragma database_list").fetchone()
    return str(row[2]) if row and row[2] else MEMORY


def load_vector_extension(db: sqlite_utils.Database) -> bool:
    """Load sqlite-vec into `db`; return whether it is available."""
    try:
        import sqlite_vec

        conn = db.conn
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
    except (AttributeError, ImportError) as exc:
        log.warning("sqlite-vec could not be loaded (%s); vector search is off", exc)
        return False
    except sqlite_errors() as exc:
        log.warning("sqlite-vec could not be loaded (%s); vector search is off", exc)
        return False
    return True


def vector_extension_version(db: sqlite_utils.Database) -> str | None:
    """Return sqlite-vec's version in `db`, or None when it is not loaded."""
    try:
        row = db.execute("select vec_version()").fetchone()
    except sqlite_errors():
        return None
    return str(row[0]) if row else None
