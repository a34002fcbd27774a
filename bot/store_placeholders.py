"""The `redact` level's placeholder table (bot/redact.py): queries, on the store's connection.

Values live only here, in the local database, per conversation. `/reset` drops a conversation's
table, `/forget me` the placeholders of values a user wrote, retention those unused for longer
than messages are kept. The table is created by migration 5 in bot/store.py.
"""

from __future__ import annotations

import sqlite3
import time

from bot.redact import Placeholder, Placeholders
from bot.store import Store


def load(store: Store, conversation_id: int) -> Placeholders:
    rows = store.conn.execute(
        "SELECT token, kind, value, author_id FROM placeholders WHERE conversation_id=? ORDER BY rowid",
        (conversation_id,),
    )
    return Placeholders.of(Placeholder(r[0], r[1], r[2], r[3]) for r in rows)


def save(store: Store, conversation_id: int, table: Placeholders, *, now: float | None = None) -> None:
    """Store the placeholders made while building a prompt and note when the ones it carries were used."""
    if not table.new and not table.used:
        return
    now = time.time() if now is None else now
    with store._transaction():
        store.conn.executemany(
            "INSERT OR IGNORE INTO placeholders (conversation_id, token, kind, value, author_id, created_at, used_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(conversation_id, p.token, p.kind, p.value, p.author_id, now, now) for p in table.new],
        )
        store.conn.executemany(
            "UPDATE placeholders SET used_at=? WHERE conversation_id=? AND token=?",
            [(now, conversation_id, token) for token in sorted(table.used)],
        )
    table.new.clear()
    table.used.clear()


def forget_conversation(conn: sqlite3.Connection, conversation_id: int) -> int:
    return conn.execute("DELETE FROM placeholders WHERE conversation_id=?", (conversation_id,)).rowcount


def forget_author(conn: sqlite3.Connection, platform: str, user_id: str) -> int:
    return conn.execute(
        "DELETE FROM placeholders WHERE author_id=? AND conversation_id IN (SELECT id FROM conversations WHERE platform=?)",
        (user_id, platform),
    ).rowcount


def purge_unused_since(conn: sqlite3.Connection, cutoff: float) -> int:
    return conn.execute("DELETE FROM placeholders WHERE used_at < ?", (cutoff,)).rowcount
