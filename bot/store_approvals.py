"""SQL for approvals in chat (table `approvals`, migration 5 in bot/store.py).

One row per request to run a tool that changes things: who asked, which tool, a one-line summary of
the call, where the prompt was shown, and how it ended (who decided, when). The summary describes the
tool's arguments, so rows follow the rules for messages: purged with them (`purge`) and deleted by
`/forget me` (`forget_user`).
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from bot.session import SessionKey
from bot.store import Store
from bot.tools.approval_types import PENDING, ApprovalRecord, ApprovalRequest

COLUMNS = (
    "id, turn_id, platform, workspace, channel, thread, asker, tool, summary, outcome, decided_by, prompt_ref,"
    " created_at, expires_at, decided_at"
)


class ApprovalLog:
    """The approvals table on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def open(self, request: ApprovalRequest) -> None:
        key = request.key
        with self.store._transaction():
            self.store.conn.execute(
                "INSERT INTO approvals (id, turn_id, platform, workspace, channel, thread, asker, tool, summary,"
                " outcome, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (request.id, request.turn_id, key.platform, key.workspace, key.channel, key.thread or "",
                 request.asker, request.tool, request.summary, PENDING, time.time(), request.expires_at),
            )  # fmt: skip

    def shown(self, approval_id: str, prompt_ref: str) -> None:
        """Where the prompt is (the adapter's reference), so a restart can edit it."""
        with self.store._transaction():
            self.store.conn.execute("UPDATE approvals SET prompt_ref=? WHERE id=?", (prompt_ref, approval_id))

    def close(self, approval_id: str, outcome: str, decided_by: str = "") -> bool:
        """Record the outcome of a pending request; False when it was no longer pending."""
        with self.store._transaction():
            changed = self.store.conn.execute(
                "UPDATE approvals SET outcome=?, decided_by=?, decided_at=? WHERE id=? AND outcome=?",
                (outcome, decided_by, time.time(), approval_id, PENDING),
            ).rowcount
        return bool(changed)

    def close_all_pending(self, outcome: str) -> list[ApprovalRecord]:
        """At start-up: requests the last process was waiting on; closed with `outcome` and returned."""
        with self.store._transaction():
            rows = self.store.conn.execute(f"SELECT {COLUMNS} FROM approvals WHERE outcome=?", (PENDING,)).fetchall()
            self.store.conn.execute(
                "UPDATE approvals SET outcome=?, decided_at=? WHERE outcome=?", (outcome, time.time(), PENDING)
            )
        return [_record({**dict(row), "outcome": outcome}) for row in rows]

    def get(self, approval_id: str) -> ApprovalRecord | None:
        row = self.store.conn.execute(f"SELECT {COLUMNS} FROM approvals WHERE id=?", (approval_id,)).fetchone()
        return _record(dict(row)) if row else None

    def of_turn(self, turn_id: int) -> list[ApprovalRecord]:
        rows = self.store.conn.execute(
            f"SELECT {COLUMNS} FROM approvals WHERE turn_id=? ORDER BY created_at, id", (turn_id,)
        ).fetchall()
        return [_record(dict(row)) for row in rows]

    def of_user(self, platform: str, user_id: str) -> list[ApprovalRecord]:
        """Everything a person asked on a platform, oldest first (for their export)."""
        rows = self.store.conn.execute(
            f"SELECT {COLUMNS} FROM approvals WHERE platform=? AND asker=? ORDER BY created_at, id",
            (platform, user_id),
        ).fetchall()
        return [_record(dict(row)) for row in rows]


def export_user(store: Store, platform: str, user_id: str) -> list[dict[str, Any]]:
    """A person's approval requests as plain data for an export: what they asked, how each ended and
    whether they decided it themselves (another decider's id is not theirs to export)."""
    return [
        {
            "turn_id": r.turn_id,
            "tool": r.tool,
            "summary": r.summary,
            "outcome": r.outcome,
            "decided_by": "you" if r.decided_by == user_id else ("an admin" if r.decided_by else ""),
            "asked_at": r.created_at,
            "decided_at": r.decided_at,
        }
        for r in ApprovalLog(store).of_user(platform, user_id)
    ]


def forget_user(conn: sqlite3.Connection, platform: str, user_id: str) -> int:
    """Inside `/forget me`'s transaction: delete the person's requests, and their name on requests they
    decided for others (the decision stays, anonymous). Returns how many requests were deleted."""
    deleted = conn.execute("DELETE FROM approvals WHERE platform=? AND asker=?", (platform, user_id)).rowcount
    conn.execute("UPDATE approvals SET decided_by='' WHERE platform=? AND decided_by=?", (platform, user_id))
    return deleted


def purge(conn: sqlite3.Connection, cutoff: float) -> int:
    """Inside retention's transaction: requests older than the message time-to-live go with the messages
    (their summaries describe tool arguments). Pending ones stay until they are closed."""
    return conn.execute("DELETE FROM approvals WHERE created_at < ? AND outcome != ?", (cutoff, PENDING)).rowcount


def _record(row: dict[str, Any]) -> ApprovalRecord:
    key = SessionKey(row["platform"], row["workspace"], row["channel"], row["thread"] or None)
    return ApprovalRecord(
        row["id"], row["turn_id"], key, row["asker"], row["tool"], row["summary"], row["outcome"],
        row["decided_by"], row["prompt_ref"], row["created_at"], row["expires_at"], row["decided_at"],
    )  # fmt: skip
