"""Retention's queries: deleting expired messages and everything about one user. The store layer's SQL.

Both run in one transaction on the store's own connection (bot/retention.py decides when and reports).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot import store_approvals, store_memory, store_placeholders
from bot.store import Store
from bot.store_tasks import TaskStore
from bot.store_tools import forget_tool_calls, purge_tool_calls


@dataclass(frozen=True)
class Forgotten:
    messages: int
    answers: int
    feedback: int
    settings: int
    summaries: int
    turns: int
    approvals: int = 0  # tool approval requests they made (bot/store_approvals.py)
    tasks: int = 0
    facts: int = 0  # remembered facts (/remember)

    @property
    def text(self) -> str:
        return (
            f"Done — I deleted {self.messages} message(s) of yours and {self.answers} answer(s) to them,"
            f" {self.feedback} rating(s), {self.settings} personal setting(s), {self.tasks} task(s)"
            f" and {self.facts} remembered fact(s);"
            f" {self.summaries} conversation summary(ies) that included your messages were cleared,"
            f" and {self.turns} usage record(s) no longer name you."
            + (f" {self.approvals} tool approval request(s) of yours were deleted." if self.approvals else "")
        )


def delete_messages_before(store: Store, cutoff: float) -> int:
    """Delete messages stored before `cutoff` (and the links and summaries that depend on them); how many went."""
    conn = store.conn
    with store._transaction():  # one BEGIN IMMEDIATE … COMMIT, as the store's own writes
        ids = "SELECT id FROM messages WHERE created_at < ?"
        conn.execute(f"UPDATE turns SET user_message_id=NULL WHERE user_message_id IN ({ids})", (cutoff,))
        conn.execute(f"UPDATE turns SET answer_message_id=NULL WHERE answer_message_id IN ({ids})", (cutoff,))
        count = conn.execute("DELETE FROM messages WHERE created_at < ?", (cutoff,)).rowcount
        purge_tool_calls(store, cutoff)  # tool arguments and results live as long as messages
        # Placeholder values not carried by any prompt since the cutoff go with the messages they came from.
        store_placeholders.purge_unused_since(conn, cutoff)
        # Links from platform messages to turns expire with the messages (the turns, kept, stay valid).
        conn.execute("DELETE FROM message_links WHERE created_at < ?", (cutoff,))
        store_approvals.purge(conn, cutoff)  # approval summaries describe tool arguments: they go too
        # File names read with turns, and remembered facts, expire like messages (bot/store_memory.py).
        conn.execute("DELETE FROM turn_attachments WHERE created_at < ?", (cutoff,))
        store_memory.delete_older(store, cutoff)
        # A summary whose last summarised message has expired summarises only expired text.
        conn.execute(
            "UPDATE conversations SET summary='', summary_sensitive=0 WHERE summary != ''"
            " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = conversations.summary_upto)"
        )
    return count


def forget_user_rows(store: Store, platform: str, user_id: str) -> Forgotten:
    """A user's messages (and the bot's answers to them), feedback, personal settings, tasks, remembered facts,
    placeholders, tool calls and approvals on a platform go;
    their turns stay, anonymised."""
    conn = store.conn
    in_platform = "conversation_id IN (SELECT id FROM conversations WHERE platform=?)"
    with store._transaction():  # one BEGIN IMMEDIATE … COMMIT, as the store's own writes
        mine = [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM messages WHERE author_id=? AND role='user' AND {in_platform}", (user_id, platform)
            )
        ]
        answers = [
            r[0]
            for r in conn.execute(
                f"SELECT answer_message_id FROM turns WHERE user_id=? AND answer_message_id IS NOT NULL"
                f" AND {in_platform}",
                (user_id, platform),
            )
        ]
        summaries = _delete_messages(conn, mine + answers)
        # Their answers on the platform no longer lead back to those turns (before the turns are anonymised).
        conn.execute(
            f"DELETE FROM message_links WHERE turn_id IN (SELECT id FROM turns WHERE user_id=? AND {in_platform})",
            (user_id, platform),
        )
        # The redact level's placeholders for values they wrote.
        store_placeholders.forget_author(conn, platform, user_id)
        conn.execute(  # the names of files they sent (no content is kept there)
            f"DELETE FROM turn_attachments WHERE turn_id IN (SELECT id FROM turns WHERE user_id=? AND {in_platform})",
            (user_id, platform),
        )
        facts = store_memory.delete_all(store, platform, user_id)
        feedback = conn.execute(
            f"DELETE FROM feedback WHERE user_id=? AND turn_id IN (SELECT id FROM turns WHERE {in_platform})",
            (user_id, platform),
        ).rowcount
        settings = conn.execute(
            "DELETE FROM settings WHERE scope LIKE ? ESCAPE '\\' AND scope LIKE ? ESCAPE '\\'",
            (f"user:{_like(platform)}/%", f"%/{_like(user_id)}"),
        ).rowcount
        conn.execute(
            "UPDATE settings SET set_by='' WHERE set_by=? AND scope LIKE ? ESCAPE '\\'",
            (user_id, f"%:{_like(platform)}/%"),
        )
        forget_tool_calls(store, platform, user_id)  # their tools' arguments and results (before anonymising)
        turns = conn.execute(
            f"UPDATE turns SET user_id='' WHERE user_id=? AND {in_platform}", (user_id, platform)
        ).rowcount
        approvals = store_approvals.forget_user(conn, platform, user_id)
        tasks = TaskStore(store).forget_user(platform, user_id)
    return Forgotten(len(mine), len(answers), feedback, settings, summaries, turns, approvals, tasks, facts)


def _delete_messages(conn: sqlite3.Connection, ids: list[int]) -> int:
    """Delete messages by id, unlinking their turns and clearing summaries written from them; summaries cleared."""
    summaries = 0
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        summaries += conn.execute(
            "UPDATE conversations SET summary='', summary_sensitive=0 WHERE summary != '' AND id IN"
            f" (SELECT DISTINCT conversation_id FROM messages WHERE id IN ({marks})"
            " AND id <= conversations.summary_upto)",
            chunk,
        ).rowcount
        conn.execute(f"UPDATE turns SET user_message_id=NULL WHERE user_message_id IN ({marks})", chunk)
        conn.execute(f"UPDATE turns SET answer_message_id=NULL WHERE answer_message_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM messages WHERE id IN ({marks})", chunk)
    return summaries


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
