"""SQL for the files read with each turn: names, outcome and finding kinds (never content), for /why."""

from __future__ import annotations

import json
import time

from bot.attachment_logic import Report
from bot.store import Store


def record(store: Store, turn_id: int, reports: list[Report]) -> None:
    """Remember what became of each file of a turn (one transaction)."""
    if not reports:
        return
    now = time.time()
    rows = [
        (turn_id, i, r.name, r.kind, r.status, r.size, r.chars, r.total_chars, json.dumps(r.finding_kinds), now)
        for i, r in enumerate(reports)
    ]
    with store._transaction():
        store.conn.executemany(
            "INSERT OR REPLACE INTO turn_attachments (turn_id, position, name, kind, status, size, chars,"
            " total_chars, finding_kinds, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )


def of_turn(store: Store, turn_id: int) -> list[Report]:
    rows = store.conn.execute(
        "SELECT name, kind, status, size, chars, total_chars, finding_kinds FROM turn_attachments"
        " WHERE turn_id=? ORDER BY position",
        (turn_id,),
    )
    return [
        Report(
            r["name"], r["kind"], r["status"], r["size"], r["chars"], r["total_chars"], json.loads(r["finding_kinds"])
        )
        for r in rows
    ]


def turn_of_message(store: Store, message_id: int) -> int | None:
    """The first turn that answered a stored question (a 🔁 or resumed turn reads that turn's files)."""
    row = store.conn.execute(
        "SELECT MIN(t.id) FROM turns t JOIN turn_attachments a ON a.turn_id = t.id WHERE t.user_message_id=?",
        (message_id,),
    ).fetchone()
    return row[0] if row and row[0] is not None else None
