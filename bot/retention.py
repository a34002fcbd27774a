"""Retention: delete stored messages past their time-to-live, and everything about one user (`/forget me`).

The SQL is the store layer's (bot/store_retention.py), one transaction each. Turn rows (no message text) stay
for usage figures; a forgotten user's turns are anonymised. A conversation summary is cleared when
what it summarised is gone, since it was written from that text.
"""

from __future__ import annotations

import logging
import time

from bot.store import Store
from bot.store_retention import Forgotten, delete_messages_before, forget_user_rows

log = logging.getLogger("hybridbot.retention")

PURGE_INTERVAL = 3600.0  # seconds between periodic purges in `hybridbot run`


def purge_expired(store: Store, ttl_days: float, *, now: float | None = None) -> int:
    """Delete messages older than `ttl_days` (0 = keep everything); return how many went."""
    if ttl_days <= 0:
        return 0
    cutoff = (now if now is not None else time.time()) - ttl_days * 86400
    count = delete_messages_before(store, cutoff)
    if count:
        log.info("retention: deleted %d message(s) older than %g day(s)", count, ttl_days)
    return count


def forget_user(store: Store, platform: str, user_id: str) -> Forgotten:
    """Delete a user's messages (and the bot's answers to them), feedback, personal settings and tasks on a
    platform (user ids are platform-wide, so this covers every workspace and DM of theirs there)."""
    counts = forget_user_rows(store, platform, user_id)
    log.info(
        "forgot a user: %d messages, %d answers, %d feedback, %d settings, %d tasks, %d facts",
        counts.messages,
        counts.answers,
        counts.feedback,
        counts.settings,
        counts.tasks,
        counts.facts,
    )
    return counts


async def retention_loop(store: Store, ttl_days: float, *, interval: float = PURGE_INTERVAL) -> None:
    """Purge expired messages every `interval` seconds until cancelled (nothing to do when ttl is 0)."""
    import asyncio

    if ttl_days <= 0:
        return
    while True:
        await asyncio.sleep(interval)
        try:
            purge_expired(store, ttl_days)
        except Exception as error:  # a locked or busy database: try again next time
            log.warning("retention purge failed: %s", type(error).__name__)
