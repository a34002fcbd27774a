"""SQLite storage for conversations, messages, turns, settings and feedback (sqlite-utils, WAL).

All calls are short indexed statements, run on the event loop thread; `busy_timeout` lets a
briefly locked database wait instead of failing.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.checkpoint import FALLBACK_PAGES, WAL_BYTES, checkpointer
from bot.filemode import private_file
from bot.session import SessionKey
from bot.store_records import (
    Conversation,
    StoredMessage,
    TurnRecord,
    immediate_transaction,
    message_row,
    turn_row,
)
from bot.store_schema import MIGRATIONS
from bot.store_settings import SettingsTable

UNFINISHED = ("pending", "streaming")
PRUNE_EVERY = 60.0  # seconds between deletions of expired redelivery ids


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            private_file(self.path)  # SQLite gives -wal and -shm the database file's mode
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
        conn.row_factory = sqlite3.Row
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self._pruned_seen = 0.0  # when first_sight last deleted expired event ids
        if self.path != ":memory:":
            self.db.enable_wal()
            # Checkpoints run in a background thread (bot/checkpoint.py), not inside a turn's commit.
            conn.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_BYTES}")  # the WAL's size says what is new
            checkpointer.register(self.path)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        self._migrate()
        self.settings = SettingsTable(conn)

    # --- schema --------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        for version, script in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            # One transaction per step: a crash mid-migration leaves the previous version intact.
            try:
                self.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
            except sqlite3.Error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        return immediate_transaction(self.conn)

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Several store calls in one transaction (one commit); store methods inside join it."""
        return immediate_transaction(self.conn)

    def close(self) -> None:
        if self.path != ":memory:":
            checkpointer.unregister(self.path)
        self.conn.close()

    def check(self) -> None:
        """Raise if the database cannot be read (used by doctor and readiness)."""
        self.conn.execute("SELECT count(*) FROM conversations").fetchone()

    # --- conversations -------------------------------------------------------

    def conversation(self, key: SessionKey, *, private: bool = False) -> Conversation:
        """The conversation for a session key, created on first use. `private` only ever tightens."""
        where = (key.platform, key.workspace, key.channel, key.thread or "")
        find = "SELECT * FROM conversations WHERE platform=? AND workspace=? AND channel=? AND thread=?"
        row = self.conn.execute(find, where).fetchone()  # a read first: a known conversation costs no write
        if row is None:
            now = time.time()
            self.conn.execute(
                "INSERT INTO conversations (platform, workspace, channel, thread, private, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (*where, int(private), now, now),
            )
            row = self.conn.execute(find, where).fetchone()
        if private and not row["private"]:
            self.conn.execute("UPDATE conversations SET private=1 WHERE id=?", (row["id"],))
        return Conversation(
            id=row["id"],
            key=key,
            private=bool(row["private"]) or private,
            sticky_private=bool(row["sticky_private"]),
            summary=row["summary"],
            summary_upto=row["summary_upto"],
            summary_sensitive=bool(row["summary_sensitive"]),
        )

    def has_conversation(self, key: SessionKey) -> bool:
        """Whether a conversation exists for this key (an adapter's "was the bot part of this thread?")."""
        row = self.conn.execute(
            "SELECT 1 FROM conversations WHERE platform=? AND workspace=? AND channel=? AND thread=?",
            (key.platform, key.workspace, key.channel, key.thread or ""),
        ).fetchone()
        return row is not None

    def mark_sticky_private(self, conversation_id: int) -> None:
        self.conn.execute("UPDATE conversations SET sticky_private=1 WHERE id=?", (conversation_id,))

    def set_summary(self, conversation_id: int, summary: str, upto_message_id: int, sensitive: bool) -> None:
        self.conn.execute(
            "UPDATE conversations SET summary=?, summary_upto=?, summary_sensitive=?, updated_at=? WHERE id=?",
            (summary, upto_message_id, int(sensitive), time.time(), conversation_id),
        )

    def reset_conversation(self, conversation_id: int) -> int:
        """Forget a conversation's messages and summary; turns stay for usage figures. Returns count."""
        with self._transaction():
            self.conn.execute(
                "UPDATE turns SET user_message_id=NULL, answer_message_id=NULL WHERE conversation_id=?",
                (conversation_id,),
            )
            count = self.conn.execute("DELETE FROM messages WHERE conversation_id=?", (conversation_id,)).rowcount
            # The redact level's placeholder values were taken from those messages.
            self.conn.execute("DELETE FROM placeholders WHERE conversation_id=?", (conversation_id,))
            self.conn.execute(
                "UPDATE conversations SET summary='', summary_upto=0, summary_sensitive=0, sticky_private=0,"
                " updated_at=? WHERE id=?",
                (time.time(), conversation_id),
            )
            self.conn.execute("DELETE FROM tool_calls WHERE conversation_id=?", (conversation_id,))
            # Its answers on the platform no longer lead back to it (by turn: message_links_by_turn).
            self.conn.execute(
                "DELETE FROM message_links WHERE turn_id IN (SELECT id FROM turns WHERE conversation_id=?)",
                (conversation_id,),
            )
        return count

    def conversation_of_turn(self, turn_id: int) -> Conversation | None:
        """The conversation a turn belongs to (with its session key), or None for an unknown turn."""
        row = self.conn.execute(
            "SELECT c.* FROM conversations c JOIN turns t ON t.conversation_id = c.id WHERE t.id=?", (turn_id,)
        ).fetchone()
        if row is None:
            return None
        return Conversation(
            id=row["id"],
            key=SessionKey(row["platform"], row["workspace"], row["channel"], row["thread"] or None),
            private=bool(row["private"]),
            sticky_private=bool(row["sticky_private"]),
            summary=row["summary"],
            summary_upto=row["summary_upto"],
            summary_sensitive=bool(row["summary_sensitive"]),
        )

    # --- messages ------------------------------------------------------------

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str,
        *,
        author_id: str = "",
        author_name: str = "",
        sensitive: bool = False,
        local_only: bool = False,
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO messages (conversation_id, role, author_id, author_name, content, sensitive, local_only,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                role,
                author_id,
                author_name,
                content,
                int(sensitive or local_only),
                int(local_only),
                time.time(),
            ),
        )
        return int(cur.lastrowid or 0)  # set by every INSERT

    def tighten_message(self, message_id: int, *, sensitive: bool, local_only: bool) -> None:
        """Mark a stored message stricter (never looser): the level may have tightened while it waited."""
        self.conn.execute(
            "UPDATE messages SET sensitive = max(sensitive, ?), local_only = max(local_only, ?) WHERE id=?",
            (int(sensitive or local_only), int(local_only), message_id),
        )

    def accept_turn(
        self, event_id: str | None, conversation_id: int, message: dict[str, Any], *, user_id: str, workspace: str
    ) -> tuple[int, int] | None:
        """Store a user message and its pending turn, then mark its event seen, in one transaction.

        None when the event was seen before (a redelivery). Storing first means a crash can never
        leave an event marked seen whose message was lost: both are written or neither is.
        """
        with self._transaction():
            if event_id is not None and not self.first_sight(event_id):
                return None
            message_id = self.add_message(conversation_id, "user", **message)
            turn_id = self.create_turn(conversation_id, message_id, user_id=user_id, workspace=workspace)
        return message_id, turn_id

    def message(self, message_id: int) -> StoredMessage | None:
        row = self.conn.execute("SELECT * FROM messages WHERE id=?", (message_id,)).fetchone()
        return message_row(row) if row else None

    def newest_messages(
        self, conversation_id: int, *, after_id: int = 0, before_id: int | None = None
    ) -> Generator[StoredMessage, None, None]:
        """Messages newest first, stepped lazily: the caller pays only for the rows it reads."""
        upper = before_id if before_id is not None else 2**62
        cursor = self.conn.execute(
            "SELECT * FROM messages WHERE conversation_id=? AND id>? AND id<? ORDER BY id DESC",
            (conversation_id, after_id, upper),
        )
        try:
            for row in cursor:
                yield message_row(row)
        finally:
            cursor.close()

    def count_messages(self, conversation_id: int, *, after_id: int = 0, at_most: int | None = None) -> int:
        """Messages after `after_id`; with `at_most`, stops counting there (per-turn callers need only
        "at least N", and a full count walks the whole history)."""
        query = "SELECT 1 FROM messages WHERE conversation_id=? AND id>?"
        params: tuple[int, ...] = (conversation_id, after_id)
        if at_most is not None:
            query, params = query + " LIMIT ?", (*params, at_most)
        return int(self.conn.execute(f"SELECT count(*) FROM ({query})", params).fetchone()[0])

    def oldest_messages(self, conversation_id: int, *, after_id: int, limit: int) -> list[StoredMessage]:
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE conversation_id=? AND id>? ORDER BY id LIMIT ?",
            (conversation_id, after_id, limit),
        ).fetchall()
        return [message_row(r) for r in rows]

    # --- turns ---------------------------------------------------------------

    def create_turn(self, conversation_id: int, user_message_id: int | None, *, user_id: str, workspace: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO turns (conversation_id, user_message_id, user_id, workspace, status, created_at)"
            " VALUES (?, ?, ?, ?, 'pending', ?)",
            (conversation_id, user_message_id, user_id, workspace, time.time()),
        )
        return int(cur.lastrowid or 0)  # set by every INSERT

    def finish_turn(
        self,
        turn_id: int,
        conversation_id: int,
        answer: str,
        *,
        author_name: str,
        marks: dict[str, bool] | None = None,
        **fields: Any,
    ) -> int | None:
        """The answer (when there is one, with its privacy `marks`) and the turn's outcome, in one transaction;
        returns the answer's id."""
        with self._transaction():
            answer_id = None
            if answer:
                marks = marks or {}
                answer_id = self.add_message(
                    conversation_id,
                    "assistant",
                    answer,
                    author_name=author_name,
                    sensitive=marks.get("sensitive", False),
                    local_only=marks.get("local_only", False),
                )
            self.update_turn(turn_id, answer_message_id=answer_id, **fields)
        return answer_id

    def update_turn(self, turn_id: int, **fields: Any) -> None:
        for name in ("reasons", "finding_kinds"):
            if name in fields:
                fields[name] = json.dumps(list(fields[name]))
        if fields.get("status") not in (None, *UNFINISHED):
            fields.setdefault("finished_at", time.time())
        columns = ", ".join(f"{name}=?" for name in fields)
        self.conn.execute(f"UPDATE turns SET {columns} WHERE id=?", (*fields.values(), turn_id))

    def turn(self, turn_id: int) -> TurnRecord | None:
        row = self.conn.execute("SELECT * FROM turns WHERE id=?", (turn_id,)).fetchone()
        return turn_row(row) if row else None

    def last_turn(self, conversation_id: int, *, answered_only: bool = True) -> TurnRecord | None:
        condition = "AND provider != ''" if answered_only else ""
        row = self.conn.execute(
            f"SELECT * FROM turns WHERE conversation_id=? {condition} ORDER BY id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return turn_row(row) if row else None

    def links_of_turn(self, turn_id: int) -> list[tuple[str, str, str]]:
        """(platform, channel, message id) of every platform message linked to a turn, oldest first."""
        rows = self.conn.execute(
            "SELECT platform, channel, message_id FROM message_links WHERE turn_id=? ORDER BY created_at, rowid",
            (turn_id,),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def unfinished_turns(self) -> list[tuple[TurnRecord, SessionKey]]:
        rows = self.conn.execute(
            "SELECT t.*, c.platform, c.workspace AS c_workspace, c.channel, c.thread FROM turns t"
            " JOIN conversations c ON c.id = t.conversation_id WHERE t.status IN ('pending', 'streaming')"
        ).fetchall()
        return [
            (turn_row(r), SessionKey(r["platform"], r["c_workspace"], r["channel"], r["thread"] or None)) for r in rows
        ]

    def usage(self, *, workspace: str | None, since: float, user_id: str | None = None) -> list[dict[str, Any]]:
        clauses: list[str] = ["created_at >= ?", "provider != ''"]
        params: list[object] = [since]
        if workspace is not None:
            clauses.append("workspace = ?")
            params.append(workspace)
        if user_id is not None:
            clauses.append("user_id = ?")
            params.append(user_id)
        rows = self.conn.execute(
            "SELECT provider, model, locality, count(*) AS turns, sum(prompt_tokens) AS prompt_tokens,"
            " sum(completion_tokens) AS completion_tokens FROM turns WHERE "
            + " AND ".join(clauses)
            + " GROUP BY provider, model, locality ORDER BY turns DESC",
            params,
        ).fetchall()
        return [dict(r) for r in rows]

    # --- settings ------------------------------------------------------------

    def set_setting(self, scope: str, key: str, value: str, *, set_by: str = "") -> None:
        self.settings.set(scope, key, value, set_by=set_by)

    def delete_setting(self, scope: str, key: str) -> bool:
        return self.settings.delete(scope, key)

    def settings_for(self, scopes: list[str], key: str) -> dict[str, str]:
        """{scope: value} of a setting (cached until the table changes: bot/store_settings.py)."""
        return self.settings.read(scopes, key)

    # --- routing labels (bot/routing_labels.py) -------------------------------

    def answers_to(self, message_id: int) -> int:
        """How many turns answered this user message (more than one: it was regenerated with 🔁)."""
        row = self.conn.execute("SELECT COUNT(*) FROM turns WHERE user_message_id=?", (message_id,)).fetchone()
        return int(row[0])

    # --- feedback ------------------------------------------------------------

    def set_feedback(self, turn_id: int, user_id: str, value: int) -> None:
        if value == 0:
            self.conn.execute("DELETE FROM feedback WHERE turn_id=? AND user_id=?", (turn_id, user_id))
            return
        self.conn.execute(
            "INSERT INTO feedback (turn_id, user_id, value, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (turn_id, user_id) DO UPDATE SET value=excluded.value, created_at=excluded.created_at",
            (turn_id, user_id, value, time.time()),
        )

    def feedback(self, turn_id: int) -> dict[str, int]:
        rows = self.conn.execute("SELECT user_id, value FROM feedback WHERE turn_id=?", (turn_id,)).fetchall()
        return {r["user_id"]: r["value"] for r in rows}

    # --- platform message links ----------------------------------------------

    def link_message(self, platform: str, channel: str, message_id: str, turn_id: int) -> bool:
        """Remember that a platform message shows (part of) a turn's answer. False when the turn is unknown."""
        cur = self.conn.execute(
            "INSERT INTO message_links (platform, channel, message_id, turn_id, conversation_id, created_at)"
            " SELECT ?, ?, ?, id, conversation_id, ? FROM turns WHERE id=?"
            " ON CONFLICT (platform, channel, message_id) DO UPDATE SET turn_id=excluded.turn_id,"
            " conversation_id=excluded.conversation_id",
            (platform, str(channel), str(message_id), time.time(), turn_id),
        )
        return cur.rowcount > 0

    def turn_for_message(self, platform: str, channel: str, message_id: str) -> int | None:
        """The turn whose answer a platform message shows, if it was linked (and not forgotten since)."""
        row = self.conn.execute(
            "SELECT turn_id FROM message_links WHERE platform=? AND channel=? AND message_id=?",
            (platform, str(channel), str(message_id)),
        ).fetchone()
        return int(row[0]) if row else None

    # --- redelivery ----------------------------------------------------------

    def first_sight(self, event_id: str, *, ttl: float = 3600.0) -> bool:
        """True the first time an event id is seen within the TTL; False for a redelivery."""
        now = time.time()
        if now - self._pruned_seen > PRUNE_EVERY:  # not per event: the table has no index on seen_at
            self._pruned_seen = now
            self.conn.execute("DELETE FROM seen_events WHERE seen_at < ?", (now - ttl,))
        cur = self.conn.execute(  # an id seen longer ago than the TTL (not yet pruned) counts as new
            "INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id)"
            " DO UPDATE SET seen_at = excluded.seen_at WHERE seen_events.seen_at < ?",
            (event_id, now, now - ttl),
        )
        return cur.rowcount == 1

    def seen(self, event_id: str, *, ttl: float = 3600.0) -> bool:
        """True when an event id was recorded within the TTL (a read: nothing is marked)."""
        row = self.conn.execute(
            "SELECT 1 FROM seen_events WHERE event_id=? AND seen_at >= ?", (event_id, time.time() - ttl)
        ).fetchone()
        return row is not None
