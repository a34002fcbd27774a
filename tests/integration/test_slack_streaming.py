"""Streaming into Slack: throttled edits, 429s, long answers, native streaming, failures mid-stream."""

from __future__ import annotations

import pytest

from tests.fakes.slack_server import wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


async def test_429_on_chat_update_still_ends_with_the_right_text(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.slack.stream_mode = "update"
    reply = "one two three four five six seven eight nine ten eleven twelve"
    slack_bot.fake_ollama.reply, slack_bot.fake_ollama.token_delay = reply, 0.02
    slack_bot.fake.inject_429("chat.update", count=2, retry_after=0)
    question = await slack_bot.mention("count to twelve")
    answer = await slack_bot.answer("C0GENERAL", question, wait=10)
    assert answer.shown == reply
    assert [c.status for c in slack_bot.fake.calls_to("chat.update")][:2] == [429, 429]
    assert len(slack_bot.fake.thread("C0GENERAL", question)) == 1


async def test_edits_are_throttled_per_message(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.slack.stream_mode = "update"
    slack_bot.engine.settings.slack.update_interval = 0.25
    slack_bot.fake_ollama.reply = " ".join(f"w{i}" for i in range(60))
    slack_bot.fake_ollama.token_delay = 0.01  # ~0.6 s of streaming
    question = await slack_bot.mention("stream please")
    answer = await slack_bot.answer("C0GENERAL", question)
    updates = slack_bot.fake.calls_to("chat.update")
    assert 1 <= len(updates) <= 5  # about one edit per 0.25 s plus the final one, not one per token
    assert answer.shown.endswith("w59")


async def test_long_answers_continue_in_more_messages_with_code_blocks_intact(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.slack.section_chars = 400
    slack_bot.engine.settings.slack.sections_per_message = 2
    code = "\n".join(f"print('line {i}')" for i in range(80))
    slack_bot.fake_ollama.reply = f"Here is the code:\n\n```python\n{code}\n```\n\nThat is all."
    if slack_bot.fake_openai is not None:  # the difficulty router may pick either: the same answer from both
        slack_bot.fake_openai.reply = slack_bot.fake_ollama.reply
    question = await slack_bot.mention("write a long program")
    await slack_bot.answer("C0GENERAL", question)
    messages = slack_bot.fake.thread("C0GENERAL", question)
    assert len(messages) >= 2
    assert all(len(b["text"]["text"]) <= 400 for m in messages for b in m.blocks if b["type"] == "section")
    for message in messages:
        for block in (b for b in message.blocks if b["type"] == "section"):
            assert block["text"]["text"].count("```") % 2 == 0  # every piece renders on its own
    assert messages[-1].footer and not any(m.footer for m in messages[:-1])
    shown = "\n".join(m.shown for m in messages)
    assert "print('line 0')" in shown and "print('line 79')" in shown and "That is all." in shown


async def test_model_failing_mid_stream_keeps_and_marks_the_partial_answer(slack_bot: SlackBot) -> None:
    slack_bot.fake_ollama.reply = "This answer will break off somewhere in the middle of it"
    slack_bot.fake_ollama.inject("drop_midstream", after=4)
    question = await slack_bot.mention("say something")
    answer = await slack_bot.answer("C0GENERAL", question)
    assert answer.shown.startswith("This answer will")
    assert "incomplete" in answer.shown


async def test_oversized_message_is_refused_clearly(slack_bot: SlackBot) -> None:
    question = await slack_bot.mention("x" * 41_000)
    reply = await wait_until(lambda: slack_bot.fake.thread("C0GENERAL", question), what="reply")
    assert "the limit is" in reply[0].shown
    assert not slack_bot.fake_ollama.chat_requests()


async def test_files_in_a_dm_are_read_also_when_slack_sends_no_address(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    shared = fake.share_file("agenda.txt", b"1. budget\n2. hiring\n", "text/plain")
    connect = {"id": shared["id"], "name": "agenda.txt", "mimetype": "text/plain", "file_access": "check_file_info"}
    first = await slack_bot.message("", channel="D0ALICE", subtype="file_share", files=[connect])  # a file alone
    await slack_bot.answer("D0ALICE", first)
    assert fake.calls_to("files.info") and "2. hiring" in str(slack_bot.fake_ollama.chat_requests()[-1])
    missing = {"id": "F404", "name": "old.txt", "mimetype": "text/plain", "file_access": "check_file_info"}
    second = await slack_bot.message("and this one?", channel="D0ALICE", subtype="file_share", files=[missing])
    answer = await slack_bot.answer("D0ALICE", second)
    said = answer.shown + answer.footer
    assert "old.txt: not read — it could not be downloaded" in said
    assert not any("can't read files" in e["text"] for e in fake.ephemeral)  # the old refusal is gone


@pytest.mark.parametrize("slack_bot", ["socket"], indirect=True)
async def test_native_streaming_in_a_thread_is_the_default(slack_bot: SlackBot) -> None:
    assert slack_bot.engine.settings.slack.stream_mode == "native"  # Tier 4 appends: more room than chat.update
    slack_bot.fake_ollama.reply, slack_bot.fake_ollama.token_delay = "Natively **streamed** answer here", 0.03
    question = await slack_bot.mention("stream natively")
    answer = await slack_bot.answer("C0GENERAL", question)
    assert answer.shown == "Natively **streamed** answer here"  # Slack renders the Markdown itself
    assert "🔒 local" in answer.footer
    start = slack_bot.fake.calls_to("chat.startStream")[0].args
    assert start["recipient_user_id"] and start["recipient_team_id"] == "T0TEST"
    assert start["thread_ts"] == question
    assert slack_bot.fake.calls_to("chat.stopStream") and not slack_bot.fake.calls_to("chat.update")


@pytest.mark.parametrize("slack_bot", ["http"], indirect=True)
async def test_native_streaming_at_the_top_level_omits_thread_ts(slack_bot: SlackBot) -> None:
    settings = slack_bot.engine.settings.slack
    settings.stream_mode, settings.channel_mode_channels = "native", ["C0TOPLEVEL"]
    slack_bot.fake_ollama.reply, slack_bot.fake_ollama.token_delay = "A top-level native answer", 0.03
    await slack_bot.mention("stream natively at the top", channel="C0TOPLEVEL")
    answer = await slack_bot.answer("C0TOPLEVEL", None)
    assert answer.shown == "A top-level native answer"
    (start,) = slack_bot.fake.calls_to("chat.startStream")
    assert "thread_ts" not in start.args
    assert not slack_bot.fake.calls_to("chat.update")  # streamed natively, no fallback


@pytest.mark.parametrize("slack_bot", ["http"], indirect=True)
async def test_native_streaming_unavailable_falls_back_to_chat_update(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.slack.stream_mode = "native"
    slack_bot.fake.stream_enabled = False
    slack_bot.fake_ollama.reply, slack_bot.fake_ollama.token_delay = "Fallback answer with `code`", 0.03
    question = await slack_bot.mention("stream natively")
    answer = await slack_bot.answer("C0GENERAL", question)
    assert answer.shown == "Fallback answer with `code`"
    assert slack_bot.fake.calls_to("chat.startStream") and slack_bot.fake.calls_to("chat.postMessage")


@pytest.mark.slow
@pytest.mark.parametrize("slack_bot", ["http"], indirect=True)
async def test_a_burst_in_one_channel_is_paced_and_meets_no_429(slack_bot: SlackBot) -> None:
    limiter = slack_bot.adapter.bot.post_pacer
    assert limiter is not None
    limiter.per_second = 5
    slack_bot.fake.post_rate = 5  # the stand-in answers 429 past 5 new messages per second per channel
    slack_bot.fake_ollama.reply, slack_bot.fake_ollama.token_delay = "a b c d e f g h", 0.02
    questions = [await slack_bot.mention(f"question {i}", channel="C0BUSY") for i in range(8)]
    for question in questions:
        answer = await slack_bot.answer("C0BUSY", question, wait=15)
        assert answer.shown == "a b c d e f g h"
    assert slack_bot.fake.rate_limited == 0


async def test_a_new_message_that_reaches_slack_late_still_paces_the_next_one(slack_bot: SlackBot) -> None:
    """Posts count at Slack when they arrive: one held up on its way must not bunch with the next."""
    slack_bot.engine.settings.slack.stream_mode = "update"  # new messages are chat.postMessage
    limiter = slack_bot.adapter.bot.post_pacer
    assert limiter is not None
    limiter.per_second = slack_bot.fake.post_rate = 1
    slack_bot.fake.late["chat.postMessage"].append(0.6)  # the first answer's post arrives 0.6 s after it left
    questions = [await slack_bot.mention(f"question {i}", channel="C0SLOW") for i in range(2)]
    for question in questions:
        await slack_bot.answer("C0SLOW", question, wait=15)
    assert slack_bot.fake.rate_limited == 0


@pytest.mark.parametrize("slack_bot", ["socket"], indirect=True)
async def test_native_stream_that_grows_too_long_continues_with_edits_and_more_messages(slack_bot: SlackBot) -> None:
    settings = slack_bot.engine.settings.slack
    settings.stream_mode, settings.section_chars, settings.sections_per_message = "native", 300, 1
    words = [f"word{i}" for i in range(150)]
    slack_bot.fake_ollama.reply, slack_bot.fake_ollama.token_delay = " ".join(words), 0.005
    question = await slack_bot.mention("a long native answer")
    await slack_bot.answer("C0GENERAL", question, wait=10)
    messages = slack_bot.fake.thread("C0GENERAL", question)
    assert len(messages) >= 3 and not any(m.streaming for m in messages)
    assert " ".join(m.shown for m in messages).split() == words
    assert slack_bot.fake.calls_to("chat.startStream") and slack_bot.fake.calls_to("chat.update")
