"""Slack's assistant pane and App Home tab, in Socket Mode and HTTP mode."""

from __future__ import annotations

from tests.fakes.slack_server import event_callback, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


async def test_opening_the_messages_tab_greets_once_and_suggests_prompts_without_a_thread(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    opened = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "messages", "event_ts": "1.0"}
    await slack_bot.deliver(event_callback(opened))
    greeting = await wait_until(lambda: fake.thread("D0ALICE", None), what="greeting")
    assert "private" in greeting[0].text
    prompts = await wait_until(lambda: fake.calls_to("assistant.threads.setSuggestedPrompts"), what="prompts")
    assert prompts[0].args["prompts"][0]["message"] == "What can you do?"
    assert "thread_ts" not in prompts[0].args  # agent apps must omit it: Slack ignores the call otherwise
    await slack_bot.deliver(event_callback({**opened, "event_ts": "2.0"}))
    await slack_bot.settled()
    assert len(fake.thread("D0ALICE", None)) == 1 and len(fake.calls_to("assistant.threads.setSuggestedPrompts")) == 1


async def test_a_message_in_the_messages_tab_is_answered_in_its_thread_with_status_and_title(
    slack_bot: SlackBot,
) -> None:
    fake = slack_bot.fake
    slack_bot.engine.settings.routing.default_model = "cloud"
    question = await slack_bot.message("Explain quantum computing in depth", channel="D0ALICE")
    answer = await slack_bot.answer("D0ALICE", question)
    assert "🔒 local" in answer.footer
    assert slack_bot.fake_openai.chat_requests() == []
    statuses = lambda: [c.args for c in fake.calls_to("assistant.threads.setStatus")]  # noqa: E731
    await wait_until(lambda: statuses()[-1]["status"] == "", what="status cleared")
    assert statuses()[0]["status"] == "thinking…" and statuses()[0]["thread_ts"] == question
    title = fake.calls_to("assistant.threads.setTitle")[0].args
    assert title["title"] == "Explain quantum computing in depth" and title["thread_ts"] == question
    await slack_bot.message("and more simply?", channel="D0ALICE", thread_ts=question)
    await slack_bot.answer("D0ALICE", question, count=2)  # the thread is the conversation


async def test_app_home_shows_defaults_models_and_usage(slack_bot: SlackBot) -> None:
    question = await slack_bot.mention("hello")
    await slack_bot.answer("C0GENERAL", question)
    await slack_bot.command("model", "local me")
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home", "event_ts": "1.0"}
    await slack_bot.deliver(event_callback(event))
    view = await wait_until(lambda: slack_bot.fake.views.get(ALICE), what="home view")
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "Model: *local* (your personal setting)" in text
    assert "🔒 ollama:llama3.2:3b — ok" in text and "☁ openai:gpt-4o-mini — ok" in text
    assert "1 answer(s)" in text
