"""The tool calls a turn made: stored for /why and audit, under the same retention and /forget me rules as
messages. Every SQL statement about the ``tool_calls`` table is here (migration 5 in bot/store.py).

Arguments and results are kept as the model saw them (arguments as JSON, results as returned, before
fencing); ``sensitive`` says the privacy scan found something in the result (the turn then went local).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from bot.store import Store


@dataclass(frozen=True)
class ToolCallRecord:
    turn_id: int
    round: int
    tool: str
    locality: str  # "local" (stays on this machine) or "remote" (sends data out)
    arguments: str
    result: str
    outcome: str  # "ok", or an error kind: bad_arguments, timeout, failed, refused, unknown_tool, denied
    seconds: float
    sensitive: bool


def record_tool_calls(store: Store, conversation_id: int, user_id: str, records: list[ToolCallRecord]) -> None:
    now = time.time()
    rows = [
        (r.turn_id, conversation_id, user_id, r.round, r.tool, r.locality, r.arguments, r.result, r.outcome)
        + (r.seconds, int(r.sensitive), now)
        for r in records
    ]
    store.conn.executemany(
        "INSERT INTO tool_calls (turn_id, conversation_id, user_id, round, tool, locality, arguments, result,"
        " outcome, seconds, sensitive, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def tool_calls_of_turn(store: Store, turn_id: int) -> list[ToolCallRecord]:
    rows = store.conn.execute(
        "SELECT turn_id, round, tool, locality, arguments, result, outcome, seconds, sensitive"
        " FROM tool_calls WHERE turn_id=? ORDER BY id",
        (turn_id,),
    )
    return [ToolCallRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8])) for r in rows]


def purge_tool_calls(store: Store, cutoff: float) -> int:
    """Delete tool calls older than `cutoff` (retention; run inside the caller's transaction)."""
    return store.conn.execute("DELETE FROM tool_calls WHERE created_at < ?", (cutoff,)).rowcount


def forget_tool_calls(store: Store, platform: str, user_id: str) -> int:
    """Delete a person's tool calls on a platform (/forget me; run inside the caller's transaction)."""
    return store.conn.execute(
        "DELETE FROM tool_calls WHERE user_id=? AND conversation_id IN (SELECT id FROM conversations WHERE platform=?)",
        (user_id, platform),
    ).rowcount


def export_tool_calls(store: Store, platform: str, user_id: str) -> list[dict[str, Any]]:
    """A person's tool calls on a platform, for an export of what is stored about them."""
    rows = store.conn.execute(
        "SELECT t.turn_id, t.tool, t.locality, t.arguments, t.result, t.outcome, t.created_at FROM tool_calls t"
        " JOIN conversations c ON c.id = t.conversation_id WHERE t.user_id=? AND c.platform=? ORDER BY t.id",
        (user_id, platform),
    )
    keys = ("turn_id", "tool", "locality", "arguments", "result", "outcome", "created_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def arguments_text(arguments: dict[str, Any] | None, raw: str | None) -> str:
    return raw if raw is not None else json.dumps(arguments or {}, ensure_ascii=False)
