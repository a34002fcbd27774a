"""SQL for digests of the bot's own conversations (the console's `/summarize`): messages since a time."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store import Store


@dataclass(frozen=True)
class TimedMessage:
    role: str
    author_name: str
    content: str
    created_at: float
    marked: bool  # stored sensitive or local-only: it never enters a cloud prompt


def messages_since(store: Store, conversation_id: int, oldest: float, limit: int) -> list[TimedMessage]:
    """A conversation's messages stored at or after `oldest`, oldest first (the newest `limit` of them)."""
    rows = store.conn.execute(
        "SELECT role, author_name, content, created_at, sensitive OR local_only FROM messages"
        " WHERE conversation_id=? AND created_at>=? ORDER BY id DESC LIMIT ?",
        (conversation_id, oldest, limit),
    ).fetchall()
    return [TimedMessage(r[0], r[1], r[2], float(r[3]), bool(r[4])) for r in reversed(rows)]
