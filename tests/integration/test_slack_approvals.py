"""Approvals in a Slack thread, through slack-bolt and slack-sdk against the stand-in (Socket Mode and HTTP).

The engine's `Approvals.ask` is driven with the adapter's own sink for a real conversation (as the tool
loop does with `ctx.sink`); clicks arrive as `block_actions` (Socket Mode `interactive` envelopes, or
signed form posts with `payload=`).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.approval_prompt import APPROVE, DENY
from adapters.slack.approvals import note_interrupted_approvals
from bot.commands import CommandContext, run_command
from bot.session import SessionKey
from bot.tools.approvals import ApprovalDecision, ApprovalRequest, new_request
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import TEAM, FakeSlack, Message, button_click, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot, start_bot

slack_bot = test_slack_harness.slack_bot  # the fixture (socket and http), shared
CAROL = "U0CAROL"  # a workspace admin


async def conversation(bot: SlackBot) -> tuple[SessionKey, str, int]:
    """Alice asks in a channel and gets an answer in its thread: the key, the thread and the turn."""
    question = await bot.mention("please tidy my tasks")
    await bot.answer("C0GENERAL", question)
    key = SessionKey("slack", TEAM, "C0GENERAL", question)
    turn = bot.engine.store.last_turn(bot.engine.store.conversation(key).id)
    assert turn is not None
    return key, question, turn.id


def request_for(key: SessionKey, turn_id: int, *, timeout: float = 30.0) -> ApprovalRequest:
    return new_request(
        turn_id=turn_id, key=key, asker=ALICE, tool="tasks.delete", summary="delete task 3 <b>", timeout=timeout
    )


def asking(bot: SlackBot, key: SessionKey, thread: str, request: ApprovalRequest) -> asyncio.Task[ApprovalDecision]:
    sink = bot.adapter.bot.sink(key, key.channel, thread, ALICE)  # the sink a turn in this thread streams to
    return asyncio.create_task(bot.engine.approvals.ask(request, sink))


async def prompt_in(bot: SlackBot, thread: str) -> Message:
    def posted() -> Message | None:
        return next((m for m in bot.fake.thread("C0GENERAL", thread) if "Approval needed" in m.text), None)

    return await wait_until(posted, what="the approval prompt")


async def click(bot: SlackBot, payload: dict[str, Any]) -> float:
    """Deliver a click as Slack does; returns the seconds until Slack had its ack."""
    started = time.monotonic()
    if bot.mode == "socket":
        envelope = await bot.fake.send_socket("interactive", payload)
        await wait_until(lambda: envelope in bot.fake.acks, what="interactive ack")
    else:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        status, _ = await bot.fake.post_http(bot.url, body, form=True)
        assert status == 200
    return time.monotonic() - started


async def private_reply(bot: SlackBot, before: int) -> dict[str, Any]:
    return await wait_until(lambda: bot.fake.responses[before:] and bot.fake.responses[before], what="reply")


async def test_the_asker_approves_with_a_button_and_the_prompt_shows_it(slack_bot: SlackBot) -> None:
    key, thread, turn_id = await conversation(slack_bot)
    request = request_for(key, turn_id)
    task = asking(slack_bot, key, thread, request)
    prompt = await prompt_in(slack_bot, thread)
    assert f"<@{ALICE}> asked me to run tasks.delete: delete task 3 &lt;b&gt;" in prompt.shown  # no markup injected
    assert [e["action_id"] for b in prompt.blocks if b["type"] == "actions" for e in b["elements"]] == [APPROVE, DENY]
    acked = await click(slack_bot, button_click(slack_bot.fake, prompt, APPROVE, user=ALICE))
    decision = await asyncio.wait_for(task, 5)
    assert decision.approved and decision.by == ALICE
    assert acked < 3.0
    await wait_until(lambda: "Approved by" in prompt.shown, what="the prompt edited to its outcome")
    assert f"✅ Approved by <@{ALICE}>" in prompt.shown
    assert not [b for b in prompt.blocks if b["type"] == "actions"]  # the buttons are gone
    record = slack_bot.engine.approvals.of_turn(turn_id)[0]
    assert (record.outcome, record.decided_by, record.prompt_ref) == ("approved", ALICE, f"C0GENERAL:{prompt.ts}")
    why = await run_command(slack_bot.engine, CommandContext(key, ALICE), "/why")  # /why of the thread's turn
    assert "🔐 tasks.delete: approved by the asker" in why.text


async def test_someone_else_is_refused_privately_then_an_admin_denies(slack_bot: SlackBot) -> None:
    slack_bot.fake.add_user(CAROL, "carol", admin=True)
    key, thread, turn_id = await conversation(slack_bot)
    request = request_for(key, turn_id)
    task = asking(slack_bot, key, thread, request)
    prompt = await prompt_in(slack_bot, thread)
    stale = button_click(slack_bot.fake, prompt, APPROVE, user=ALICE)
    before = len(slack_bot.fake.responses)
    await click(slack_bot, button_click(slack_bot.fake, prompt, APPROVE, user=BOB))
    reply = await private_reply(slack_bot, before)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert f"Only <@{ALICE}> (who asked) or an admin can decide" in reply["text"]
    assert slack_bot.engine.approvals.request(request.id) == request and not task.done()  # still pending
    assert "Approve" in json.dumps(prompt.blocks) and prompt.edits == 0
    await click(slack_bot, button_click(slack_bot.fake, prompt, DENY, user=CAROL))
    decision = await asyncio.wait_for(task, 5)
    assert (decision.outcome, decision.by) == ("denied", CAROL)
    await wait_until(lambda: "Denied by" in prompt.shown, what="the prompt edited")
    assert f"❌ Denied by <@{CAROL}>" in prompt.shown
    before = len(slack_bot.fake.responses)
    await click(slack_bot, stale)  # a client still showing the buttons
    reply = await private_reply(slack_bot, before)
    assert f"already denied by <@{CAROL}>" in reply["text"]
    assert slack_bot.engine.approvals.of_turn(turn_id)[0].decided_by == CAROL


async def test_an_admin_listed_in_the_config_may_decide(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    async with FakeSlack() as fake:
        bot = await start_bot(
            tmp_path, fake, fake_ollama, None, mode="socket", toml=f'[slack]\nadmin_user_ids = ["{BOB}"]\n'
        )
        try:
            key, thread, turn_id = await conversation(bot)
            task = asking(bot, key, thread, request_for(key, turn_id))
            prompt = await prompt_in(bot, thread)
            await click(bot, button_click(fake, prompt, APPROVE, user=BOB))
            decision = await asyncio.wait_for(task, 5)
            assert (decision.outcome, decision.by) == ("approved", BOB)
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()


async def test_no_answer_in_time_denies_and_a_late_click_hears_it_expired(slack_bot: SlackBot) -> None:
    key, thread, turn_id = await conversation(slack_bot)
    task = asking(slack_bot, key, thread, request_for(key, turn_id, timeout=0.5))
    prompt = await prompt_in(slack_bot, thread)
    late = button_click(slack_bot.fake, prompt, APPROVE, user=ALICE)
    decision = await asyncio.wait_for(task, 5)
    assert decision.outcome == "timeout" and not decision.approved
    await wait_until(lambda: "⌛" in prompt.shown, what="the prompt edited")
    assert "No answer in time — not run" in prompt.shown and not [b for b in prompt.blocks if b["type"] == "actions"]
    before = len(slack_bot.fake.responses)
    await click(slack_bot, late)
    reply = await private_reply(slack_bot, before)
    assert "This request expired" in reply["text"] and "nothing was run" in reply["text"]
    assert slack_bot.engine.approvals.of_turn(turn_id)[0].outcome == "timeout"


async def test_a_restart_marks_a_waiting_prompt_expired(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> None:
    async with FakeSlack() as fake:
        first = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket")
        key, thread, turn_id = await conversation(first)
        task = asking(first, key, thread, request_for(key, turn_id))
        prompt = await prompt_in(first, thread)
        stale = button_click(fake, prompt, APPROVE, user=ALICE)
        await first.adapter.stop()  # the process dies with the request waiting: nothing closes it
        second = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket")  # same database
        try:
            assert await note_interrupted_approvals(second.adapter.bot) == 1
            assert "expired with a restart" in prompt.shown and "Ask me again" in prompt.shown
            assert not [b for b in prompt.blocks if b["type"] == "actions"]
            assert second.engine.approvals.of_turn(turn_id)[0].outcome == "interrupted"
            before = len(fake.responses)
            await click(second, stale)
            reply = await private_reply(second, before)
            assert "expired with a restart" in reply["text"]
            assert await note_interrupted_approvals(second.adapter.bot) == 0  # marked once
        finally:
            task.cancel()
            await second.adapter.stop()
            await second.engine.aclose()
            await first.engine.aclose()


async def test_nobody_else_can_approve_when_things_go_wrong(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> None:
    """Faults and forgeries never turn into an approval: an admin whose look-up fails is not an admin
    (fail closed), a badly signed or other-workspace click does nothing, a made-up id is unknown."""
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="http")
        try:
            fake.add_user(CAROL, "carol", admin=True)
            key, thread, turn_id = await conversation(bot)
            request = request_for(key, turn_id)
            task = asking(bot, key, thread, request)
            prompt = await prompt_in(bot, thread)
            fake.errors["users.info"] = "internal_error"  # Slack can't say whether Carol is an admin
            before = len(fake.responses)
            await click(bot, button_click(fake, prompt, APPROVE, user=CAROL))
            assert "Only <@U0ALICE>" in (await private_reply(bot, before))["text"]
            forged = json.dumps(button_click(fake, prompt, APPROVE, user=BOB))
            body = urllib.parse.urlencode({"payload": forged})
            status, _ = await fake.post_http(bot.url, body, form=True, signature="v0=" + "0" * 64)
            assert status == 401
            elsewhere = button_click(fake, prompt, APPROVE, user=ALICE)
            elsewhere["team"] = {"id": "T0OTHER", "domain": "other"}
            elsewhere["user"]["team_id"] = "T0OTHER"
            status, _ = await fake.post_http(
                bot.url, urllib.parse.urlencode({"payload": json.dumps(elsewhere)}), form=True
            )
            assert status == 200
            made_up = button_click(fake, prompt, APPROVE, user=ALICE)
            made_up["actions"][0]["value"] = "0" * 32
            before = len(fake.responses)
            await click(bot, made_up)
            assert "I don't know this request" in (await private_reply(bot, before))["text"]
            assert bot.engine.approvals.request(request.id) == request and not task.done()  # all of it: still waiting
            assert bot.engine.approvals.of_turn(turn_id)[0].outcome == "pending"
            await click(bot, button_click(fake, prompt, DENY, user=ALICE))
            assert (await asyncio.wait_for(task, 5)).outcome == "denied"
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()


async def test_a_prompt_slack_refuses_to_post_means_no(slack_bot: SlackBot) -> None:
    key, thread, turn_id = await conversation(slack_bot)
    slack_bot.fake.errors["chat.postMessage"] = "internal_error"
    decision = await asyncio.wait_for(asking(slack_bot, key, thread, request_for(key, turn_id)), 5)
    assert decision.outcome == "unavailable" and not decision.approved
    assert slack_bot.engine.approvals.of_turn(turn_id)[0].outcome == "unavailable"


async def test_the_stand_in_refuses_block_kit_that_slack_would_refuse() -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.fakes.slack_server import BOT_TOKEN

    async with FakeSlack() as fake:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url)
        button = {"type": "button", "action_id": "a", "value": "v" * 2001, "text": {"type": "plain_text", "text": "x"}}
        too_long_value = [{"type": "actions", "elements": [button]}]
        too_long_text = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
        for blocks in (too_long_value, too_long_text):
            with pytest.raises(SlackApiError) as refused:
                await client.chat_postMessage(channel="C1", text="t", blocks=blocks)
            assert refused.value.response["error"] == "invalid_blocks"
        ok = await client.chat_postMessage(
            channel="C1", text="t", blocks=[{**{"type": "actions"}, "elements": [{**button, "value": "v"}]}]
        )
        assert fake.messages[("C1", ok["ts"])].blocks[0]["elements"][0]["value"] == "v"
