"""Mentions, threads and DMs end to end, in Socket Mode and HTTP mode (real slack-bolt/slack-sdk)."""

from __future__ import annotations

from tests.fakes.slack_server import BOT_USER, Message, event_callback, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


async def test_mention_is_answered_in_a_thread_streamed_then_finalised_with_footer(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    slack_bot.engine.settings.routing.default_model = "local"
    slack_bot.engine.settings.slack.stream_mode = "update"  # this test is about posting then editing
    reply = "Paris is the **capital** of France, and it is lovely in spring."
    ollama = _ollama(slack_bot)
    ollama.reply, ollama.token_delay = reply, 0.03
    ts = await slack_bot.mention("What is the capital of France?")
    answer = await slack_bot.answer("C0GENERAL", ts)
    assert answer.thread_ts == ts
    assert answer.shown == "Paris is the *capital* of France, and it is lovely in spring."
    assert "🔒 local" in answer.footer and "ollama:" in answer.footer
    assert answer.edits >= 2  # first text posted early, then edited while streaming, then finalised
    first = fake.calls_to("chat.postMessage")[0].args
    assert len(first["text"]) < len(reply)  # the first post came before the answer was complete
    buttons = [b for b in answer.blocks if b["type"] == "actions"][0]["elements"]
    assert [b["action_id"] for b in buttons] == ["hb_feedback_up", "hb_feedback_down"]
    assert len(fake.thread("C0GENERAL", ts)) == 1  # app_mention + message.channels: answered once


async def test_thread_follow_up_without_mention_uses_the_threads_memory(slack_bot: SlackBot) -> None:
    ollama = _ollama(slack_bot)
    slack_bot.engine.settings.routing.default_model = "local"
    ts = await slack_bot.mention("My favourite colour is teal.")
    await slack_bot.answer("C0GENERAL", ts)
    await slack_bot.message("What is my favourite colour?", thread_ts=ts, user=BOB)
    await slack_bot.answer("C0GENERAL", ts, count=2)
    prompt = ollama.chat_requests()[-1]["messages"]
    contents = " ".join(str(m.get("content")) for m in prompt)
    assert "teal" in contents and "What is my favourite colour?" in contents


async def test_messages_in_threads_the_bot_is_not_part_of_are_ignored(slack_bot: SlackBot) -> None:
    root = await slack_bot.message("people talking")
    await slack_bot.message("still people talking", thread_ts=root)
    await slack_bot.message("top level chatter")
    await slack_bot.message("and more", thread_ts=root)
    await wait_until(lambda: slack_bot.fake.calls_to("conversations.replies"), what="the thread lookup")
    await slack_bot.mention("now you join", thread_ts=root)
    await slack_bot.answer("C0GENERAL", root)
    bot_messages = [m for m in slack_bot.fake.messages.values() if m.user == BOT_USER]
    assert bot_messages and all(m.thread_ts == root for m in bot_messages)  # nothing for the chatter
    assert len(_ollama(slack_bot).chat_requests()) == 1  # only the mention reached the model
    assert len(slack_bot.fake.calls_to("conversations.replies")) == 1  # Slack is asked once per thread
    await slack_bot.message("and you stay", thread_ts=root)
    await slack_bot.answer("C0GENERAL", root, count=2)


async def test_dm_stays_local_and_the_cloud_receives_nothing(slack_bot: SlackBot, fake_openai) -> None:  # noqa: ANN001
    slack_bot.engine.settings.routing.default_model = "cloud"
    question = await slack_bot.message("Summarise the theory of relativity in depth please", channel="D0ALICE")
    answer = await slack_bot.answer("D0ALICE", question)
    assert "🔒 local" in answer.footer
    assert fake_openai.chat_requests() == []


async def test_own_and_other_bots_messages_are_ignored(slack_bot: SlackBot) -> None:
    ts = await slack_bot.mention("hello")
    await slack_bot.answer("C0GENERAL", ts)
    calls = len(_ollama(slack_bot).chat_requests())
    own = {"type": "message", "user": BOT_USER, "bot_id": "B0BOT", "text": "my own words", "ts": "1.1",
           "channel": "C0GENERAL", "thread_ts": ts, "channel_type": "channel"}  # fmt: skip
    other = {**own, "user": "U0OTHER", "bot_id": "B0OTHER", "subtype": "bot_message", "ts": "1.2"}
    await slack_bot.deliver(event_callback(own))
    await slack_bot.deliver(event_callback(other))
    await slack_bot.settled()
    assert len(_ollama(slack_bot).chat_requests()) == calls
    assert len(slack_bot.fake.thread("C0GENERAL", ts)) == 1


async def test_redelivered_event_is_answered_once(slack_bot: SlackBot) -> None:
    msg_ts = slack_bot.fake.new_ts()
    event = {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER}> once please", "ts": msg_ts,
             "channel": "C0GENERAL", "event_ts": msg_ts}  # fmt: skip
    body = event_callback(event, event_id="EvSAME")
    await slack_bot.deliver(body)
    await slack_bot.deliver(body, retry=1)
    await slack_bot.deliver(event_callback(event, event_id="EvOTHER"), retry=2)  # same message, new event id
    await slack_bot.answer("C0GENERAL", msg_ts)
    await slack_bot.settled()
    assert len(slack_bot.fake.thread("C0GENERAL", msg_ts)) == 1
    assert len(_ollama(slack_bot).chat_requests()) == 1


async def test_empty_mention_gets_a_short_help(slack_bot: SlackBot) -> None:
    ts = await slack_bot.mention("")
    reply = await wait_until(lambda: slack_bot.fake.thread("C0GENERAL", ts), what="reply")
    assert "/help" in reply[0].shown
    assert not _ollama(slack_bot).chat_requests()


async def test_people_in_one_thread_are_attributed_by_display_name(slack_bot: SlackBot) -> None:
    ts = await slack_bot.mention("I like tea", user=ALICE)
    await slack_bot.answer("C0GENERAL", ts)
    await slack_bot.message("and I like coffee", thread_ts=ts, user=BOB)
    await slack_bot.answer("C0GENERAL", ts, count=2)
    conv = slack_bot.engine.store.conversation(_key(slack_bot, "C0GENERAL", ts))
    authors = [m.author_name for m in slack_bot.engine.store.newest_messages(conv.id, after_id=0) if m.role == "user"]
    assert authors == ["bob", "alice"]  # newest first


def _ollama(slack_bot: SlackBot):  # noqa: ANN202
    return slack_bot.fake_ollama


def _key(slack_bot: SlackBot, channel: str, thread: str | None):  # noqa: ANN202
    from bot.session import SessionKey

    return SessionKey("slack", "T0TEST", channel, thread)


async def test_private_channels_are_kept_local_by_default(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    slack_bot.fake.private_channels.add("C0SECRET")
    secret_ts = await slack_bot.mention("Plan the launch in detail", channel="C0SECRET")
    assert "🔒 local" in (await slack_bot.answer("C0SECRET", secret_ts)).footer
    open_ts = await slack_bot.mention("Plan the launch in detail", channel="C0OPEN")
    assert "☁ cloud" in (await slack_bot.answer("C0OPEN", open_ts)).footer
    assert not slack_bot.fake_openai.saw_text("C0SECRET") and len(slack_bot.fake_openai.chat_requests()) == 1


async def test_thread_follow_up_after_a_restart_is_known_from_the_store_without_asking_slack(
    slack_bot: SlackBot,
) -> None:
    ts = await slack_bot.mention("hello before the restart")
    await slack_bot.answer("C0GENERAL", ts)
    slack_bot.adapter.bot.threads.clear()  # as after a restart
    await slack_bot.message("and after it?", thread_ts=ts)
    await slack_bot.answer("C0GENERAL", ts, count=2)
    assert not slack_bot.fake.calls_to("conversations.replies")  # rate limited hard outside the Marketplace


async def test_a_thread_the_store_does_not_know_is_checked_with_slack_once(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    root = fake.new_ts()
    fake.messages[("C0GENERAL", root)] = Message("C0GENERAL", root, "a question", [], None, user=ALICE, bot_id=None)
    reply = fake.new_ts()
    fake.messages[("C0GENERAL", reply)] = Message("C0GENERAL", reply, "an older answer", [], root)  # the bot's
    await slack_bot.message("still there?", thread_ts=root)
    await slack_bot.answer("C0GENERAL", root)
    await slack_bot.message("and now?", thread_ts=root)
    await slack_bot.answer("C0GENERAL", root, count=2)
    (call,) = fake.calls_to("conversations.replies")
    assert int(call.args["limit"]) <= 15


async def test_dm_with_the_local_model_down_gets_a_clear_message_never_the_cloud(slack_bot: SlackBot) -> None:
    slack_bot.fake_ollama.fail_all("status", status=500)
    question = await slack_bot.message("are you there?", channel="D0ALICE")
    reply = await wait_until(lambda: slack_bot.fake.thread("D0ALICE", question), what="reply")
    assert "internal error" in reply[0].shown and "local" in reply[0].shown.lower()
    assert slack_bot.fake_openai.chat_requests() == []


async def test_other_users_mentions_and_slack_entities_reach_the_model_as_plain_text(slack_bot: SlackBot) -> None:
    ts = await slack_bot.mention(f"is <@{BOB}> right that 1 &lt; 2 &amp;&amp; <https://example.com|this>?")
    await slack_bot.answer("C0GENERAL", ts)
    prompt = str(slack_bot.fake_ollama.chat_requests()[-1]["messages"][-1]["content"])
    assert prompt == "is @bob right that 1 < 2 && this (https://example.com)?"


async def test_logs_at_info_carry_ids_not_message_text(slack_bot: SlackBot, caplog) -> None:  # noqa: ANN001
    import logging

    caplog.set_level(logging.INFO)
    slack_bot.fake_ollama.reply = "the answer is AZURE-PELICAN"
    ts = await slack_bot.mention("the codeword is CRIMSON-OTTER")
    await slack_bot.answer("C0GENERAL", ts)
    await slack_bot.command("model", "local me")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "slack turn" in logged and "C0GENERAL" in logged
    assert "CRIMSON-OTTER" not in logged and "AZURE-PELICAN" not in logged
