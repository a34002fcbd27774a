"""Access control, pacing, the edit throttle, the answer registry and the [discord] settings. Pure logic."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.common.answers import Answer, AnswerIndex
from adapters.discord.access import Requester, decide
from adapters.discord.config import DiscordConfig
from adapters.discord.pacing import EDIT, NEW, BucketLocks, RestRequestPacer
from adapters.discord.sink import ChannelEditPacer
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
    throttle = ChannelEditPacer(1.0, clock=lambda: now[0])
    assert throttle.reserve(1) == 0.0
    assert throttle.reserve(1) == 1.0
    assert throttle.reserve(1) == 2.0
    assert throttle.reserve(2) == 0.0
    now[0] = 5.0
    assert throttle.reserve(1) == 0.0


def test_answer_index_maps_messages_to_turns_and_forgets_the_oldest():
    index = AnswerIndex(None, "discord", capacity=2)
    key = SessionKey("discord", "g", "c", "t")
    index.put("c", "1", Answer(key, "c"))
    index.put("c", "2", Answer(key, "c"))
    index.finish("c", ["1", "2"], 41)
    assert index.get("c", "1").turn_id == 41 and index.get("c", "2").key == key
    index.put("c", "3", Answer(key, "c"))
    assert index.get("c", "1") is None and len(index) == 2 and index.find("c", "9") is None


async def test_global_window_lets_the_limit_through_at_once_then_waits_for_the_oldest_to_expire():
    window = RestRequestPacer(limit=5, window=0.2, reserve=0)
    start = time.monotonic()
    await asyncio.gather(*(window.take(NEW) for _ in range(5)))
    assert time.monotonic() - start < 0.05, "the whole limit goes at once: no fixed spacing"
    await window.take(NEW)
    assert 0.18 <= time.monotonic() - start < 0.4, "the sixth waits until the first leaves the window"
    assert window.waited == 1


async def test_new_messages_go_ahead_of_edits_and_edits_leave_them_a_reserve():
    window, order = RestRequestPacer(limit=4, window=0.2, reserve=2), []
    await window.take(EDIT)
    await window.take(EDIT)  # edits have used their share (4 - 2)

    async def send(kind: str, priority: int) -> None:
        await window.take(priority)
        order.append(kind)

    edit = asyncio.create_task(send("edit", EDIT))
    await asyncio.sleep(0.01)
    new = [asyncio.create_task(send(f"new{i}", NEW)) for i in range(2)]
    await asyncio.sleep(0.05)
    assert order == ["new0", "new1"], "new messages take the reserve while the edit waits"
    await asyncio.gather(edit, *new)
    assert order == ["new0", "new1", "edit"]


async def test_typing_is_left_out_rather_than_queued_and_limit_zero_turns_pacing_off():
    window = RestRequestPacer(limit=4, window=10, reserve=0)
    assert window.try_take() and window.try_take()
    assert not window.try_take() and window.skipped == 1, "typing uses at most half the window"
    await asyncio.wait_for(asyncio.gather(window.take(NEW), window.take(NEW)), 1)  # the other half stays free
    off = RestRequestPacer(limit=0)
    await asyncio.wait_for(asyncio.gather(*(off.take(EDIT) for _ in range(1000))), 1)
    assert off.try_take()


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
