"""Approvals end to end: a local model (Ollama stand-in) calls a tool that changes things, the real tool loop
pauses the turn, the adapter posts Approve / Deny buttons, and a click decides — through slack-bolt and
discord.py against their stand-ins. Someone else's click never runs the tool."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from typing import Any, TextIO

from adapters.slack.approval_prompt import APPROVE, DENY
from bot.commands import CommandContext, run_command
from bot.engine import Engine
from bot.session import SessionKey
from bot.tools.base import Tool
from tests.fakes.discord_server import running_bot, wait_for
from tests.fakes.slack_server import TEAM, button_click, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture (socket and http), shared
SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}


def deleting_tool(engine: Engine) -> list[int]:
    """A tool that changes things, offered to the default agent; returns the ids it really deleted."""
    deleted: list[int] = []

    async def delete(args: dict[str, Any]) -> str:
        deleted.append(args["id"])
        return f"deleted task {args['id']}"

    engine.tools.add_builtin(
        Tool("delete_task", "Delete one of the person's tasks", SCHEMA, delete, changes_things=True)
    )
    general = engine.agents.agents["general"]
    engine.agents.agents["general"] = replace(general, tools=(*general.tools, "delete_task"))
    return deleted


def model_deletes_task_3(ollama: Any) -> None:
    def reply(body: dict[str, Any]) -> dict[str, Any] | None:
        if any(m.get("role") == "tool" for m in body["messages"]):
            return None  # the result is in: answer in words
        return {"name": "delete_task", "arguments": {"id": 3}}

    ollama.tool_call_reply = reply
    ollama.reply = "Done, task 3 is gone."


async def final_answer(bot: SlackBot, thread: str, starts: str):  # noqa: ANN201
    """The answer (not the prompt) once finished: its route footer is in."""

    def done():  # noqa: ANN202
        found = [m for m in bot.fake.thread("C0GENERAL", thread) if m.shown.startswith(starts) and "🔒" in m.footer]
        return found[0] if found else None

    return await wait_until(done, what="the final answer")


def tool_result(ollama: Any) -> str:
    return next(m for m in ollama.chat_requests()[-1]["messages"] if m["role"] == "tool")["content"]


async def test_slack_the_asker_approves_a_tool_call_after_someone_else_was_refused(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "local"
    deleted = deleting_tool(slack_bot.engine)
    model_deletes_task_3(slack_bot.fake_ollama)
    fake = slack_bot.fake
    question = await slack_bot.mention("please delete my task 3")
    prompt = await wait_until(
        lambda: next((m for m in fake.thread("C0GENERAL", question) if "Approval needed" in m.text), None),
        what="the approval prompt",
    )
    assert "delete_task" in prompt.shown and deleted == []
    before = len(fake.responses)
    await slack_bot.action_payload(button_click(fake, prompt, APPROVE, user=BOB))
    refused = await wait_until(lambda: fake.responses[before:] and fake.responses[before], what="Bob's reply")
    assert "Only <@U0ALICE>" in refused["text"] and deleted == []  # Bob's click ran nothing
    await slack_bot.action_payload(button_click(fake, prompt, APPROVE, user=ALICE))
    await final_answer(slack_bot, question, "Done, task 3 is gone.")
    assert deleted == [3]
    assert "deleted task 3" in tool_result(slack_bot.fake_ollama)
    assert f"✅ Approved by <@{ALICE}>" in prompt.shown
    why = await run_command(
        slack_bot.engine, CommandContext(SessionKey("slack", TEAM, "C0GENERAL", question), ALICE), "/why"
    )
    assert "🔐 delete_task: approved by the asker" in why.text


async def test_slack_a_denied_tool_call_never_runs_and_the_model_is_told(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "local"
    deleted = deleting_tool(slack_bot.engine)
    model_deletes_task_3(slack_bot.fake_ollama)
    slack_bot.fake_ollama.reply = "I did not delete it."
    question = await slack_bot.mention("please delete my task 3")
    prompt = await wait_until(
        lambda: next((m for m in slack_bot.fake.thread("C0GENERAL", question) if "Approval needed" in m.text), None),
        what="the approval prompt",
    )
    await slack_bot.action_payload(button_click(slack_bot.fake, prompt, DENY, user=ALICE))
    await final_answer(slack_bot, question, "I did not delete it.")
    assert deleted == []
    assert "not run" in tool_result(slack_bot.fake_ollama) and "denied" in tool_result(slack_bot.fake_ollama)


async def test_discord_the_asker_approves_a_tool_call_with_a_button(tmp_path, fake_ollama, fake_openai) -> None:
    model_deletes_task_3(fake_ollama)
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        deleted = deleting_tool(rb.engine)
        alice = fake.user("alice")
        await fake.say(alice, "please delete my task 3", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and fake.threads()[0])
        prompt = await wait_for(
            lambda: next((m for m in fake.bot_messages(thread["id"]) if fake.buttons(m["id"])), None)
        )
        approve = next(b["custom_id"] for b in fake.buttons(prompt["id"]) if b["label"] == "Approve")
        refused = await fake.press(fake.user("bob"), prompt["id"], approve)
        await wait_for(lambda: fake.interaction_replies.get(refused))
        assert deleted == []
        await fake.press(alice, prompt["id"], approve)
        answer = await wait_for(
            lambda: next((m["content"] for m in fake.bot_messages(thread["id"]) if "\n-# " in m["content"]
                          and "Done, task 3" in m["content"]), None)
        )  # fmt: skip
        assert answer.startswith("Done, task 3 is gone.") and deleted == [3]
        await wait_for(lambda: "Approved by" in prompt["content"])
        assert "deleted task 3" in tool_result(fake_ollama)


async def test_console_y_approves_a_tool_call_in_a_scripted_session(tmp_path, fake_ollama) -> None:
    import io

    from adapters.console.app import Console
    from tests.helpers import make_app

    model_deletes_task_3(fake_ollama)
    engine = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None).engine
    deleted = deleting_tool(engine)
    out = io.StringIO()
    with piped(b"please delete my task 3\ny\n") as stdin:  # then the end of input: the session ends
        assert await asyncio.wait_for(Console(engine, stdin=stdin, stdout=out).run(), 20) == 0
    shown = out.getvalue()
    assert "🔐 you asked me to run delete_task" in shown and "Approve? [y/N]" in shown
    assert "✅ Approved by you" in shown and "Done, task 3 is gone." in shown and deleted == [3]
    assert shown.index("Approve? [y/N]") < shown.index("✅ Approved by you") < shown.index("Done, task 3")


def piped(data: bytes) -> TextIO:
    """A real pipe holding `data`, then closed: what `hybridbot console < script` reads."""
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)
    return open(read, encoding="utf-8")  # noqa: SIM115 - the caller closes it
