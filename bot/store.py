"""SQLite storage for conversations, messages, turns, settings and feedback (sqlite-utils, WAL).

All calls are short indexed statements, run on the event loop thread; `busy_timeout` lets a
briefly locked database wait instead of failing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import operator
import sqlite3
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.checkpoint import FALLBACK_PAGES, WAL_BYTES, checkpointer
from bot.filemode import private_file
from bot.routing_labels import RoutingLabel
from bot.session import SessionKey

# Each migration moves the schema one version up; never edit a released one, append a new one.
MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL,
        private INTEGER NOT NULL DEFAULT 0,
        sticky_private INTEGER NOT NULL DEFAULT 0,
        summary TEXT NOT NULL DEFAULT '',
        summary_upto INTEGER NOT NULL DEFAULT 0,
        summary_sensitive INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, updated_at REAL NOT NULL,
        UNIQUE (platform, workspace, channel, thread)
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        role TEXT NOT NULL,
        author_id TEXT NOT NULL DEFAULT '',
        author_name TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL,
        sensitive INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        user_message_id INTEGER,
        answer_message_id INTEGER,
        user_id TEXT NOT NULL DEFAULT '',
        workspace TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        provider TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
        locality TEXT NOT NULL DEFAULT '', agent TEXT NOT NULL DEFAULT '',
        reasons TEXT NOT NULL DEFAULT '[]', finding_kinds TEXT NOT NULL DEFAULT '[]',
        prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
        first_token_ms REAL, latency_ms REAL,
        error TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL, finished_at REAL
    );
    CREATE INDEX turns_by_conversation ON turns (conversation_id, id);
    CREATE INDEX turns_by_workspace_time ON turns (workspace, created_at);
    CREATE INDEX turns_by_status ON turns (status);
    CREATE TABLE settings (
        scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        set_by TEXT NOT NULL DEFAULT '', updated_at REAL NOT NULL,
        PRIMARY KEY (scope, key)
    );
    CREATE TABLE feedback (
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        user_id TEXT NOT NULL,
        value INTEGER NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (turn_id, user_id)
    );
    CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at REAL NOT NULL
    );
    """,
    # 2: which platform message shows which turn's answer (reactions on answers sent before a restart)
    """
    CREATE TABLE message_links (
        platform TEXT NOT NULL, channel TEXT NOT NULL, message_id TEXT NOT NULL,
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        created_at REAL NOT NULL,
        PRIMARY KEY (platform, channel, message_id)
    );
    CREATE INDEX message_links_by_turn ON message_links (turn_id);
    """,
    # 3: messages written while the conversation had to stay local never enter a cloud prompt, in any form
    """
    ALTER TABLE messages ADD COLUMN local_only INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: feedback on local answers as routing labels (bot/routing_labels.py): scores and kinds, text opt-in
    """
    CREATE TABLE routing_labels (
        turn_id INTEGER PRIMARY KEY REFERENCES turns(id),
        workspace TEXT NOT NULL, label TEXT NOT NULL, source TEXT NOT NULL,
        raw REAL NOT NULL, cues TEXT NOT NULL DEFAULT '[]', text TEXT,
        created_at REAL NOT NULL
    );
    CREATE INDEX routing_labels_by_workspace ON routing_labels (workspace);
    """,
    # 5: tool calls of the tool loop (bot/store_tools.py): for /why and audit, under the messages' retention
    """
    CREATE TABLE tool_calls (
        id INTEGER PRIMARY KEY,
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        user_id TEXT NOT NULL DEFAULT '',
        round INTEGER NOT NULL, tool TEXT NOT NULL, locality TEXT NOT NULL,
        arguments TEXT NOT NULL, result TEXT NOT NULL, outcome TEXT NOT NULL,
        seconds REAL NOT NULL DEFAULT 0, sensitive INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX tool_calls_by_turn ON tool_calls (turn_id);
    CREATE INDEX tool_calls_by_user ON tool_calls (user_id);
    CREATE INDEX tool_calls_by_time ON tool_calls (created_at);
    """,
    # 6: approvals in chat: every request to run a tool that changes things, and who decided what (store_approvals.py)
    """
    CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        turn_id INTEGER NOT NULL,
        platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL,
        asker TEXT NOT NULL, tool TEXT NOT NULL, summary TEXT NOT NULL,
        outcome TEXT NOT NULL,
        decided_by TEXT NOT NULL DEFAULT '',
        prompt_ref TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL, expires_at REAL NOT NULL, decided_at REAL
    );
    CREATE INDEX approvals_by_turn ON approvals (turn_id);
    CREATE INDEX approvals_by_outcome ON approvals (outcome);
    CREATE INDEX approvals_by_asker ON approvals (platform, asker);
    """,
    # 7: a person's tasks (bot/store_tasks.py): numbered per (platform, workspace, user), due dates in UTC
    """
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL, workspace TEXT NOT NULL, user_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        due_at REAL, due_all_day INTEGER NOT NULL DEFAULT 0,
        done_at REAL,
        local_only INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, updated_at REAL NOT NULL,
        UNIQUE (platform, workspace, user_id, number)
    );
    """,
    # 8: the redact level's reversible placeholders (bot/redact.py, queries in bot/store_placeholders.py)
    """
    CREATE TABLE placeholders (
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        token TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, author_id TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL, used_at REAL NOT NULL,
        PRIMARY KEY (conversation_id, token)
    );
    CREATE UNIQUE INDEX placeholders_by_value ON placeholders (conversation_id, value);
    CREATE INDEX placeholders_by_use ON placeholders (used_at);
    """,
    # 9: knowledge collections (bot/store_knowledge.py): documents, passages in FTS5, the sources answers cited
    """
    CREATE TABLE kb_documents (
        id INTEGER PRIMARY KEY,
        collection TEXT NOT NULL, path TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0, mtime REAL NOT NULL DEFAULT 0,
        chunks INTEGER NOT NULL DEFAULT 0, notes TEXT NOT NULL DEFAULT '',
        indexed_at REAL NOT NULL,
        UNIQUE (collection, path)
    );
    CREATE TABLE kb_chunks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES kb_documents(id),
        ord INTEGER NOT NULL, heading TEXT NOT NULL DEFAULT '[]', page INTEGER, line INTEGER
    );
    CREATE INDEX kb_chunks_by_document ON kb_chunks (document_id);
    CREATE VIRTUAL TABLE kb_fts USING fts5(
        collection, title, heading, text, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE kb_vocab USING fts5vocab(kb_fts, 'row');
    CREATE TABLE turn_sources (
        turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        collection TEXT NOT NULL, path TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
        heading TEXT NOT NULL DEFAULT '[]', page INTEGER, line INTEGER,
        PRIMARY KEY (turn_id, ord)
    );
    """,
    # 10: files read with a turn (names and finding kinds for /why; no content), and facts people asked the bot
    # to remember (bot/store_attachments.py, bot/store_memory.py)
    """
    CREATE TABLE turn_attachments (
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        position INTEGER NOT NULL,
        name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        size INTEGER NOT NULL DEFAULT 0, chars INTEGER NOT NULL DEFAULT 0, total_chars INTEGER NOT NULL DEFAULT 0,
        finding_kinds TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL,
        PRIMARY KEY (turn_id, position)
    );
    CREATE TABLE memory_facts (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL, user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        sensitive INTEGER NOT NULL DEFAULT 0,
        finding_kinds TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL
    );
    CREATE INDEX memory_facts_by_person ON memory_facts (platform, user_id, id);
    """,
]

T = TypeVar("T")
UNFINISHED = ("pending", "streaming")
PRUNE_EVERY = 60.0  # seconds between deletions of expired redelivery ids


@dataclass
class Conversation:
    id: int
    key: SessionKey
    private: bool
    sticky_private: bool
    summary: str
    summary_upto: int
    summary_sensitive: bool


@dataclass
class StoredMessage:
    id: int
    role: str
    author_id: str
    author_name: str
    content: str
    sensitive: bool  # withheld from cloud prompts (at the redact level released redacted)
    local_only: bool = False  # withheld from cloud prompts in every form, whatever the level becomes


@dataclass
class TurnRecord:
    id: int
    conversation_id: int
    user_message_id: int | None
    answer_message_id: int | None
    user_id: str
    status: str
    provider: str
    model: str
    locality: str
    agent: str
    reasons: list[str]
    finding_kinds: list[str]
    prompt_tokens: int
    completion_tokens: int
    first_token_ms: float | None
    latency_ms: float | None
    error: str
    created_at: float


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

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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
        return _message(row) if row else None

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
                yield _message(row)
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
        return [_message(r) for r in rows]

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
        return _turn(row) if row else None

    def last_turn(self, conversation_id: int, *, answered_only: bool = True) -> TurnRecord | None:
        condition = "AND provider != ''" if answered_only else ""
        row = self.conn.execute(
            f"SELECT * FROM turns WHERE conversation_id=? {condition} ORDER BY id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return _turn(row) if row else None

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
            (_turn(r), SessionKey(r["platform"], r["c_workspace"], r["channel"], r["thread"] or None)) for r in rows
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
        self.conn.execute(
            "INSERT INTO settings (scope, key, value, set_by, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (scope, key) DO UPDATE SET value=excluded.value, set_by=excluded.set_by,"
            " updated_at=excluded.updated_at",
            (scope, key, value, set_by, time.time()),
        )

    def delete_setting(self, scope: str, key: str) -> bool:
        return self.conn.execute("DELETE FROM settings WHERE scope=? AND key=?", (scope, key)).rowcount > 0

    def settings_for(self, scopes: list[str], key: str) -> dict[str, str]:
        marks = ",".join("?" * len(scopes))
        rows = self.conn.execute(
            f"SELECT scope, value FROM settings WHERE key=? AND scope IN ({marks})", (key, *scopes)
        ).fetchall()
        return {r["scope"]: r["value"] for r in rows}

    # --- routing labels (bot/routing_labels.py) -------------------------------

    def put_routing_label(
        self, turn_id: int, label: str, source: str, raw: float, cues: tuple[str, ...], text: str | None = None
    ) -> None:
        """One label per turn (the latest reaction wins), filed under the turn's workspace."""
        self.conn.execute(
            "INSERT OR REPLACE INTO routing_labels (turn_id, workspace, label, source, raw, cues, text, created_at)"
            " SELECT id, workspace, ?, ?, ?, ?, ?, ? FROM turns WHERE id=?",
            (label, source, raw, json.dumps(cues), text, time.time(), turn_id),
        )

    def answers_to(self, message_id: int) -> int:
        """How many turns answered this user message (more than one: it was regenerated with 🔁)."""
        row = self.conn.execute("SELECT COUNT(*) FROM turns WHERE user_message_id=?", (message_id,)).fetchone()
        return int(row[0])

    def delete_routing_label(self, turn_id: int) -> None:
        self.conn.execute("DELETE FROM routing_labels WHERE turn_id=?", (turn_id,))

    def routing_labels(self, workspace: str | None = None) -> list[RoutingLabel]:
        where, params = ("WHERE workspace=?", (workspace,)) if workspace else ("", ())
        rows = self.conn.execute(f"SELECT * FROM routing_labels {where} ORDER BY turn_id", params).fetchall()
        return [
            RoutingLabel(
                r["turn_id"], r["workspace"], r["label"], r["source"], r["raw"], tuple(json.loads(r["cues"])), r["text"]
            )
            for r in rows
        ]

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


def _converter(cls: type[T], **decoders: Callable[[Any], Any]) -> Callable[[sqlite3.Row], T]:
    """Row → dataclass, built once per table: the field names and decoders are looked up here, not per row
    (`dataclasses.fields()` on every row made prompt building ~1.4× slower)."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    plain = operator.itemgetter(*names)
    steps = tuple((names.index(name), decode) for name, decode in decoders.items())

    def convert(row: sqlite3.Row) -> T:
        values = list(plain(row))
        for index, decode in steps:  # only the decoded fields are touched
            values[index] = decode(values[index])
        return cls(*values)

    return convert


_message = _converter(StoredMessage, sensitive=bool, local_only=bool)
_turn = _converter(TurnRecord, reasons=json.loads, finding_kinds=json.loads)
