"""Slack look-ups off the turn path: one users.info / conversations.info in flight per id however many turns
wait for it, and no conversations.info where an event already said what the channel is (issue 14).
Real slack-bolt/slack-sdk against the Slack stand-in.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.slack_server import BOT_USER, FakeSlack, event_callback
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared

BOB = "U0BOB"


def _app_mention(fake: FakeSlack, channel: str, user: str = BOB, text: str = "hello") -> dict:
    """An app_mention alone (no message event beside it): the channel type is unknown to the bot."""
    ts = fake.new_ts()
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel,
             "event_ts": ts}  # fmt: skip
    return event_callback(event)


def _asked_about(fake: FakeSlack, method: str, key: str, value: str) -> int:
    return len([c for c in fake.calls_to(method) if c.args.get(key) == value])


async def _all_answered(slack_bot: SlackBot, bodies: list[dict]) -> None:
    slack_bot.engine.limits.enabled = False  # 20 turns at once from one user: the per-user limit is not tested here
    await asyncio.gather(*(slack_bot.deliver(body) for body in bodies))
    for body in bodies:
        await slack_bot.answer(body["event"]["channel"], body["event"]["ts"], wait=20)


async def test_twenty_concurrent_first_mentions_from_one_user_make_one_users_info_call(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    fake.add_user(BOB, "Bob")
    await _all_answered(slack_bot, [_app_mention(fake, f"C0NEW{i:02d}") for i in range(20)])
    assert _asked_about(fake, "users.info", "user", BOB) == 1
    assert all(_asked_about(fake, "conversations.info", "channel", f"C0NEW{i:02d}") == 1 for i in range(20))


@pytest.mark.slow  # twenty answers per mode
async def test_twenty_concurrent_mentions_in_a_new_channel_make_one_conversations_info_call(
    slack_bot: SlackBot,
) -> None:
    fake = slack_bot.fake
    await _all_answered(slack_bot, [_app_mention(fake, "C0BUSY", text=f"question {i}") for i in range(20)])
    assert _asked_about(fake, "conversations.info", "channel", "C0BUSY") == 1


async def test_a_failed_shared_look_up_is_private_for_every_waiter_and_asked_again(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.errors["conversations.info"] = "missing_scope"
    await _all_answered(slack_bot, [_app_mention(fake, "C0DARK", text=f"question {i}") for i in range(5)])
    assert _asked_about(fake, "conversations.info", "channel", "C0DARK") == 1
    assert not slack_bot.fake_openai.chat_requests()  # all five stayed local: fail closed
    del fake.errors["conversations.info"]
    await _all_answered(slack_bot, [_app_mention(fake, "C0DARK")])
    assert _asked_about(fake, "conversations.info", "channel", "C0DARK") == 2


async def test_a_channel_whose_messages_said_public_needs_no_conversations_info(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    await slack_bot.message("just chatting", channel="C0SEEN")  # message.channels: channel_type "channel"
    await asyncio.sleep(0.2)
    await _all_answered(slack_bot, [_app_mention(fake, "C0SEEN")])
    assert _asked_about(fake, "conversations.info", "channel", "C0SEEN") == 0
    assert len(slack_bot.fake_openai.chat_requests()) == 1  # public: the cloud model may answer


async def test_a_private_channel_type_keeps_the_channel_local_without_asking(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.private_channels.add("C0SECRET")
    await slack_bot.message("just chatting", channel="C0SECRET")  # message.groups: channel_type "group"
    await asyncio.sleep(0.2)
    answer = await _answer_of(slack_bot, _app_mention(fake, "C0SECRET"))
    assert "🔒 local" in answer
    assert _asked_about(fake, "conversations.info", "channel", "C0SECRET") == 0
    assert not slack_bot.fake_openai.chat_requests()


async def test_an_app_mention_alone_in_a_c_channel_is_never_taken_as_public(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.private_channels.add("C0QUIET")  # private, but nothing but its id reached the bot
    assert "🔒 local" in await _answer_of(slack_bot, _app_mention(fake, "C0QUIET"))
    assert _asked_about(fake, "conversations.info", "channel", "C0QUIET") == 1
    assert not slack_bot.fake_openai.chat_requests()


async def _answer_of(slack_bot: SlackBot, body: dict) -> str:
    await slack_bot.deliver(body)
    return (await slack_bot.answer(body["event"]["channel"], body["event"]["ts"])).footer


async def _listed(slack_bot: SlackBot, *channels: str) -> None:
    """The bot's memberships as Slack lists them; the adapter lists them again as at start-up."""
    slack_bot.fake.member_of = list(channels)
    slack_bot.adapter.bot.list_channels()
    await slack_bot.adapter.bot.directory


async def test_channels_listed_at_start_up_need_no_conversations_info(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.slack import directory

    monkeypatch.setattr(directory, "PAGE", 2)  # three pages: the cursor is followed
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.private_channels.add("C0LSECRET")
    await _listed(slack_bot, "C0LPUB1", "C0LSECRET", "C0LPUB2", "C0LPUB3", "C0LPUB4")
    assert len(fake.calls_to("users.conversations")) >= 3
    await _all_answered(slack_bot, [_app_mention(fake, c) for c in ("C0LPUB1", "C0LPUB4")])
    assert "🔒 local" in await _answer_of(slack_bot, _app_mention(fake, "C0LSECRET"))
    assert not fake.calls_to("conversations.info")
    assert len(slack_bot.fake_openai.chat_requests()) == 2  # the public ones only; the private one stayed local


async def test_a_failed_channel_listing_falls_back_to_conversations_info(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.private_channels.add("C0FSECRET")
    fake.errors["users.conversations"] = "internal_error"
    await _listed(slack_bot, "C0FSECRET")
    assert "🔒 local" in await _answer_of(slack_bot, _app_mention(fake, "C0FSECRET"))
    assert _asked_about(fake, "conversations.info", "channel", "C0FSECRET") == 1
    assert not slack_bot.fake_openai.chat_requests()
