"""Slack's assistant pane and App Home tab, in Socket Mode and HTTP mode."""

from __future__ import annotations

from tests.fakes.slack_server import event_callback, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


async def test_assistant_thread_greets_suggests_shows_status_and_stays_local(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    slack_bot.engine.settings.routing.default_model = "cloud"
    thread = fake.new_ts()
    started = {"type": "assistant_thread_started", "event_ts": thread,
               "assistant_thread": {"user_id": ALICE, "channel_id": "D0ALICE", "thread_ts": thread, "context": {}}}  # fmt: skip
    await slack_bot.deliver(event_callback(started))
    greeting = await wait_until(lambda: fake.thread("D0ALICE", thread), what="greeting")
    assert "private" in greeting[0].text
    prompts = await wait_until(lambda: fake.calls_to("assistant.threads.setSuggestedPrompts"), what="prompts")
    assert prompts[0].args["prompts"][0]["message"] == "What can you do?"
    await slack_bot.message("Explain quantum computing in depth", channel="D0ALICE", thread_ts=thread)
    answer = await slack_bot.answer("D0ALICE", thread)
    assert "🔒 local" in answer.footer
    assert slack_bot.fake_openai.chat_requests() == []
    statuses = lambda: [c.args["status"] for c in fake.calls_to("assistant.threads.setStatus")]  # noqa: E731
    await wait_until(lambda: statuses()[-1] == "", what="status cleared")
    assert statuses()[0] == "thinking…"
    title = fake.calls_to("assistant.threads.setTitle")[0].args
    assert title["title"] == "Explain quantum computing in depth" and title["thread_ts"] == thread


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
