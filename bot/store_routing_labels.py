"""Routing labels' queries: one label per answered turn, learned from feedback (bot/routing_labels.py)."""

from __future__ import annotations

import json
import time

from bot.routing_labels import RoutingLabel
from bot.store import Store


def put_routing_label(
    store: Store, turn_id: int, label: str, source: str, raw: float, cues: tuple[str, ...], text: str | None = None
) -> None:
    """One label per turn (the latest reaction wins), filed under the turn's workspace."""
    store.conn.execute(
        "INSERT OR REPLACE INTO routing_labels (turn_id, workspace, label, source, raw, cues, text, created_at)"
        " SELECT id, workspace, ?, ?, ?, ?, ?, ? FROM turns WHERE id=?",
        (label, source, raw, json.dumps(cues), text, time.time(), turn_id),
    )


def delete_routing_label(store: Store, turn_id: int) -> None:
    store.conn.execute("DELETE FROM routing_labels WHERE turn_id=?", (turn_id,))


def routing_labels(store: Store, workspace: str | None = None) -> list[RoutingLabel]:
    where, params = ("WHERE workspace=?", (workspace,)) if workspace else ("", ())
    rows = store.conn.execute(f"SELECT * FROM routing_labels {where} ORDER BY turn_id", params).fetchall()
    return [
        RoutingLabel(
            r["turn_id"], r["workspace"], r["label"], r["source"], r["raw"], tuple(json.loads(r["cues"])), r["text"]
        )
        for r in rows
    ]
