"""The expiring cache for Slack look-ups (adapters/slack/lookups.py)."""

from __future__ import annotations

from adapters.slack.lookups import ExpiringCache


def test_entries_expire_after_the_ttl_and_the_oldest_go_first_past_the_limit() -> None:
    now = [0.0]
    cache: ExpiringCache[bool] = ExpiringCache(10.0, limit=2, clock=lambda: now[0])
    cache.put("C1", True)
    cache.put("C2", False)
    assert cache.get("C1") is True and cache.get("C2") is False and "C2" in cache
    now[0] = 9.9
    assert cache.get("C1") is True
    now[0] = 10.0
    assert cache.get("C1") is None and "C1" not in cache  # expired: the caller asks Slack again
    cache.put("C3", True)
    cache.put("C4", True)
    cache.put("C5", True)
    assert cache.get("C3") is None and cache.get("C4") and cache.get("C5")  # bounded: the oldest stored dropped
