"""A tool-using turn through the Slack and Discord adapters (real slack-bolt / discord.py against the
stand-ins): the local model calls a tool, the answer arrives with the `🔧 N tool` footer, and /why names it."""

from __future__ import annotations

from typing import Any

from tests.fakes.discord_server import running_bot, wait_for
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


def calculator_then_text(expression: str):
    def reply(body: dict[str, Any]) -> dict[str, Any] | None:
        if any(m.get("role") == "tool" for m in body["messages"]):
            return None
        return {"name": "calculator", "arguments": {"expression": expression}}

    return reply


async def test_slack_mention_uses_a_tool_and_the_footer_says_so(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "local"
    ollama = slack_bot.fake_ollama
    ollama.tool_call_reply = calculator_then_text("6*7")
    ollama.reply = "6 times 7 is 42."
    ts = await slack_bot.mention("What is 6 times 7?")
    answer = await slack_bot.answer("C0GENERAL", ts)
    assert answer.shown.startswith("6 times 7 is 42.")
    assert "🔧 1 tool" in answer.footer and "🔒 local" in answer.footer
    tool = next(m for m in ollama.chat_requests()[1]["messages"] if m["role"] == "tool")
    assert "6*7 = 42" in tool["content"]


def final(fake, channel_id: str) -> str | None:
    messages = fake.bot_messages(channel_id)
    if messages and "\n-# " in messages[-1]["content"]:
        return messages[-1]["content"]
    return None


async def test_discord_mention_uses_a_tool_and_the_footer_says_so(tmp_path, fake_ollama, fake_openai) -> None:
    fake_ollama.tool_call_reply = calculator_then_text("2**10")
    fake_ollama.reply = "2 to the 10th is 1024."
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        await fake.say(fake.user("alice"), "What is 2 to the 10th?", mention_bot=True)
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert answer.startswith("2 to the 10th is 1024.")
        assert "🔧 1 tool" in answer.rsplit("-#", 1)[1]
    tool = next(m for m in fake_ollama.chat_requests()[1]["messages"] if m["role"] == "tool")
    assert "= 1024" in tool["content"]
