"""The `settings` table, with reads cached per connection (a turn reads its settings about six times).

A read loads every scope's value of that setting name at once (a new thread or channel, a scope never
seen, is then answered from memory too); the table holds one row per scope that set something.

The cache is dropped whenever the table may have changed:
- a write on this connection (any statement, also raw SQL such as /forget me's) fires a TEMP trigger
  that calls back into Python;
- a commit by another connection or process (`hybridbot route tune`, the admin commands) changes
  SQLite's `PRAGMA data_version`, which is read (a cheap, in-memory check) before every cached read.
Reads inside an open transaction are not cached: they may see writes that are then rolled back.
"""

from __future__ import annotations

import sqlite3
import time

_CHANGED = "hybridbot_settings_changed"


class SettingsTable:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._cache: dict[str, dict[str, str]] = {}  # by setting name: {scope: value} of every scope that has it
        self._version: int | None = None
        conn.create_function(_CHANGED, 0, self._changed)
        for event in ("INSERT", "UPDATE", "DELETE"):
            conn.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS settings_{event.lower()}_seen AFTER {event} ON main.settings"
                f" BEGIN SELECT {_CHANGED}(); END"
            )

    def _changed(self) -> None:
        self._cache.clear()

    def _fresh(self) -> None:
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self._cache.clear()
            self._version = version

    def set(self, scope: str, key: str, value: str, *, set_by: str = "") -> None:
        self.conn.execute(
            "INSERT INTO settings (scope, key, value, set_by, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (scope, key) DO UPDATE SET value=excluded.value, set_by=excluded.set_by,"
            " updated_at=excluded.updated_at",
            (scope, key, value, set_by, time.time()),
        )

    def delete(self, scope: str, key: str) -> bool:
        return self.conn.execute("DELETE FROM settings WHERE scope=? AND key=?", (scope, key)).rowcount > 0

    def read(self, scopes: list[str], key: str) -> dict[str, str]:
        """{scope: value} of `key` in those scopes (a new dict: callers may change it)."""
        self._fresh()
        every = self._cache.get(key)
        if every is None:
            rows = self.conn.execute("SELECT scope, value FROM settings WHERE key=?", (key,)).fetchall()
            every = {r[0]: r[1] for r in rows}
            if not self.conn.in_transaction:
                self._cache[key] = every
        return {scope: every[scope] for scope in scopes if scope in every}
