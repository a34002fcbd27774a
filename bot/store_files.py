"""The database as a file: open one, read its schema version, tables, health and row counts, copy it whole.

The store layer's SQL for bot/backup.py (`hybridbot export` / `import`), which decides what is acceptable.
Copies use SQLite's online backup API, so a copy taken while the bot runs is a consistent snapshot.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path


def connect(path: str | Path) -> sqlite3.Connection:
    """An existing SQLite file, probed; raises sqlite3.DatabaseError when it is not one."""
    conn = sqlite3.connect(path, timeout=5.0)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def quick_check(conn: sqlite3.Connection) -> str:
    """'ok', or what SQLite found damaged."""
    return str(conn.execute("PRAGMA quick_check").fetchone()[0])


def row_counts(conn: sqlite3.Connection, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows per table, for the tables that exist (names come from the caller's fixed list, never from input)."""
    present = table_names(conn)
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables if t in present}


def copy_into(src: sqlite3.Connection, path: str | Path, *, self_contained: bool) -> None:
    """Copy the whole database into the file `path`; `self_contained`: a rollback journal, not WAL (one file)."""
    with contextlib.closing(sqlite3.connect(path, timeout=5.0)) as out:
        out.execute("PRAGMA busy_timeout = 5000")
        src.backup(out)
        if self_contained:
            out.execute("PRAGMA journal_mode = DELETE")
