"""The one home of SQLite: opens Orchard's state database, loads sqlite-vec, runs schema steps.

Uses the standard `sqlite3` when it can load extensions, else `sqlean` (same API, extensions
allowed), and hands the connection to sqlite-utils. Each area keeps its own schema steps and
asks `migrate(db, area, steps)` to bring its tables up to date.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

log = logging.getLogger(__name__)

SchemaStep = Callable[[sqlite_utils.Database], None]
_migrate_lock = threading.Lock()


def _sqlite_module() -> Any:
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    import sqlean

    return sqlean


def connect(path: Path | str, *, load_vec: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path` in WAL mode, with sqlite-vec if possible."""
    module = _sqlite_module()
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = module.connect(str(path), timeout=30.0, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    if load_vec:
        load_vector_extension(db)
    return db


def load_vector_extension(db: sqlite_utils.Database) -> bool:
    """Load sqlite-vec into `db`; return whether it is available."""
    try:
        import sqlite_vec

        conn = db.conn
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
    except (AttributeError, ImportError, sqlite3.Error) as exc:
        log.warning("sqlite-vec could not be loaded (%s); vector search is off", exc)
        return False
    except Exception as exc:  # sqlean raises its own error classes
        log.warning("sqlite-vec could not be loaded (%s); vector search is off", exc)
        return False
    return True


def vector_extension_version(db: sqlite_utils.Database) -> str | None:
    """Return sqlite-vec's version in `db`, or None when it is not loaded."""
    try:
        row = db.execute("select vec_version()").fetchone()
    except Exception:
        return None
    return str(row[0]) if row else None


def migrate(db: sqlite_utils.Database, area: str, steps: Sequence[SchemaStep]) -> int:
    """Run the steps of `area` that have not run yet, in order; return the area's version."""
    with _migrate_lock:
        db.execute(
            "create table if not exists _schema (area text primary key, version integer not null)"
        )
        row = db.execute("select version from _schema where area = ?", [area]).fetchone()
        version = int(row[0]) if row else 0
        for number, step in enumerate(steps[version:], start=version + 1):
            with db.conn:
                step(db)
                db.execute(
                    "insert into _schema (area, version) values (?, ?) "
                    "on conflict(area) do update set version = excluded.version",
                    [area, number],
                )
            version = number
        return version
