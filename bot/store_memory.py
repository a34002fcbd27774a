"""SQL for remembered facts: per person and platform, with the privacy scan's verdict stored beside each."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from bot.memory import CHANNELS_SETTING, opt_in_scope
from bot.store import Store


@dataclass(frozen=True)
class Fact:
    id: int
    text: str
    sensitive: bool  # personal data or the like: only local models see it
    finding_kinds: tuple[str, ...]
    created_at: float


def add(store: Store, platform: str, user_id: str, text: str, *, sensitive: bool, kinds: list[str]) -> int:
    with store._transaction():
        cursor = store.conn.execute(
            "INSERT INTO memory_facts (platform, user_id, text, sensitive, finding_kinds, created_at)"
            " VALUES (?,?,?,?,?,?)",
            (platform, user_id, text, int(sensitive), json.dumps(kinds), time.time()),
        )
    return int(cursor.lastrowid or 0)


def facts(store: Store, platform: str, user_id: str) -> list[Fact]:
    """A person's facts, oldest first (the numbers /memory shows are positions in this list)."""
    rows = store.conn.execute(
        "SELECT id, text, sensitive, finding_kinds, created_at FROM memory_facts"
        " WHERE platform=? AND user_id=? ORDER BY id",
        (platform, user_id),
    )
    return [Fact(r[0], r[1], bool(r[2]), tuple(json.loads(r[3])), r[4]) for r in rows]


def count(store: Store, platform: str, user_id: str) -> int:
    row = store.conn.execute(
        "SELECT COUNT(*) FROM memory_facts WHERE platform=? AND user_id=?", (platform, user_id)
    ).fetchone()
    return int(row[0])


def delete(store: Store, platform: str, user_id: str, fact_id: int) -> bool:
    with store._transaction():
        gone = store.conn.execute(
            "DELETE FROM memory_facts WHERE id=? AND platform=? AND user_id=?", (fact_id, platform, user_id)
        ).rowcount
    return gone > 0


def delete_all(store: Store, platform: str, user_id: str) -> int:
    """Every fact of a person on a platform (also called inside /forget me's transaction: no BEGIN here)."""
    return store.conn.execute("DELETE FROM memory_facts WHERE platform=? AND user_id=?", (platform, user_id)).rowcount


def delete_older(store: Store, cutoff: float) -> int:
    """Retention: facts stored before `cutoff` (called inside the purge's transaction)."""
    return store.conn.execute("DELETE FROM memory_facts WHERE created_at < ?", (cutoff,)).rowcount


def clear(store: Store, platform: str, user_id: str) -> int:
    """/memory forget all."""
    with store._transaction():
        return delete_all(store, platform, user_id)


def channels_on(store: Store, platform: str, user_id: str) -> bool:
    """Has the person opted in to their facts being used in channels (/memory channels on)?"""
    scope = opt_in_scope(platform, user_id)
    return store.settings_for([scope], CHANNELS_SETTING).get(scope) == "on"
