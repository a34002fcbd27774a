"""Access control, pacing, the edit throttle, the answer registry and the [discord] settings. Pure logic."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord.access import Requester, decide
from adapters.discord.config import DiscordConfig
from adapters.discord.pacing import BucketLocks, TokenBucket
from adapters.discord.registry import AnswerRegistry
from adapters.discord.sink import ChannelThrottle
from bot.config import ConfigError, load_settings
from bot.session import SessionKey


def who(user=1, roles=(), channels=(100,), dm=False) -> Requester:
    return Requester(user, frozenset(roles), tuple(channels), dm)


def test_everyone_is_allowed_by_default():
    assert decide(DiscordConfig(), who()) == ""
    assert decide(DiscordConfig(), who(dm=True)) == ""


def test_block_lists_win_and_dms_can_be_switched_off():
    cfg = DiscordConfig(blocked_users=["1"], blocked_roles=["7"], blocked_channels=["300"], allow_dms=False)
    assert decide(cfg, who(user=1)) == "blocked-user"
    assert decide(cfg, who(user=2, roles=[7])) == "blocked-role"
    assert decide(cfg, who(user=2, channels=(100, 300))) == "blocked-channel"  # a thread's parent or category
    assert decide(cfg, who(user=2, dm=True)) == "dms-disabled"
    assert decide(cfg, who(user=2)) == ""


def test_allow_lists_for_users_roles_and_channels():
    cfg = DiscordConfig(allowed_roles=["7"], allowed_channels=["500"])
    assert decide(cfg, who(user=2, roles=[7], channels=(100, 500))) == ""  # allowed via the category 500
    assert decide(cfg, who(user=2, roles=[8], channels=(500,))) == "role-not-allowed"
    assert decide(cfg, who(user=2, roles=[7], channels=(100,))) == "channel-not-allowed"
    users = DiscordConfig(allowed_users=["3"])
    assert decide(users, who(user=3)) == "" and decide(users, who(user=4)) == "user-not-allowed"


def test_config_rejects_bad_ids_and_urls_with_clear_messages(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[discord]\nblocked_users = ["alice"]\n')
    with pytest.raises(ConfigError, match="not a Discord id"):
        load_settings(path, env={})
    path.write_text('[discord]\ngateway_url = "http://x"\n')
    with pytest.raises(ConfigError, match="ws:// or wss://"):
        load_settings(path, env={})
    path.write_text('[discord]\nreply_mod = "inline"\n')
    with pytest.raises(ConfigError, match="Did you mean 'reply_mode'"):
        load_settings(path, env={})


def test_throttle_spaces_one_channel_but_not_others():
    now = [0.0]
    throttle = ChannelThrottle(1.0, clock=lambda: now[0])
    assert throttle.reserve(1) == 0.0
    assert throttle.reserve(1) == 1.0
    assert throttle.reserve(1) == 2.0
    assert throttle.reserve(2) == 0.0
    now[0] = 5.0
    assert throttle.reserve(1) == 0.0


def test_registry_maps_messages_to_turns_and_forgets_the_oldest():
    registry = AnswerRegistry(capacity=2)
    key = SessionKey("discord", "g", "c", "t")
    registry.add(1, key)
    registry.add(2, key)
    registry.finish([1, 2], 41)
    assert registry.get(1).turn_id == 41 and registry.get(2).key == key
    registry.add(3, key)
    assert registry.get(1) is None and len(registry) == 2 and registry.get(None) is None


def test_token_bucket_allows_a_burst_then_its_rate_and_keeps_a_reserve():
    now = [0.0]
    bucket = TokenBucket(rate=10.0, burst=3.0, clock=lambda: now[0])
    assert [bucket.try_take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.try_take() == pytest.approx(0.1)
    now[0] = 0.5  # five tokens' worth of time, capped at the burst of three
    assert bucket.try_take(reserve=2.0) == 0.0  # 3 → 2: leaves the reserve
    assert bucket.try_take(reserve=2.0) > 0  # would dip into the reserve
    assert bucket.try_take() == 0.0  # urgent calls may use it
    assert TokenBucket(rate=0.0).try_take() == 0.0, "rate 0 turns pacing off"


async def test_bucket_locks_serialise_one_bucket_but_not_others():
    locks, order = BucketLocks(), []

    async def call(key: str, name: str) -> None:
        async with locks.hold(key):
            order.append(f"{name}+")
            await asyncio.sleep(0.01)
            order.append(f"{name}-")

    await asyncio.gather(call("a", "a1"), call("a", "a2"), call("b", "b1"))
    assert order.index("a1-") < order.index("a2+") and order.index("b1+") < order.index("a1-")
    assert locks._locks == {}, "idle buckets are forgotten"
