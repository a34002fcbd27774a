"""Approvals in Discord, through discord.py against the stand-in: buttons on a prompt, clicks as
INTERACTION_CREATE type 3 (MESSAGE_COMPONENT), answered within 3 s; who may decide; timeout; restart.

The engine's `Approvals.ask` is driven with the adapter's own sink for a real conversation (as the tool
loop does with `ctx.sink`).
"""

from __future__ import annotations

import asyncio
import time

from adapters.discord.approvals import note_interrupted_approvals
from adapters.discord.client import Where
from bot.session import SessionKey
from bot.tools.approvals import ApprovalDecision, ApprovalRequest, new_request
from tests.fakes.discord_server import MANAGE_GUILD, FakeDiscord, running_bot, wait_for
from tests.integration.test_discord_reactions import answered_thread


async def conversation(rb) -> tuple[SessionKey, dict, int, dict]:  # noqa: ANN001
    """Alice asks; the bot answers in a thread. The key, the thread, the turn and Alice."""
    thread, answer = await answered_thread(rb)
    turn_id = rb.bot.answers.get(answer["channel_id"], answer["id"]).turn_id
    alice = rb.fake.messages[thread["id"]]["author"]  # the thread was opened on her question
    key = SessionKey("discord", rb.fake.guild_id, thread["parent_id"], thread["id"])
    return key, thread, turn_id, alice


def request_for(key: SessionKey, turn_id: int, asker: dict, *, timeout: float = 30.0) -> ApprovalRequest:
    return new_request(
        turn_id=turn_id, key=key, asker=asker["id"], tool="tasks.delete", summary="delete task *3*", timeout=timeout
    )


def asking(rb, key: SessionKey, request: ApprovalRequest) -> asyncio.Task[ApprovalDecision]:  # noqa: ANN001
    channel = rb.bot.get_partial_messageable(int(key.thread), guild_id=int(key.workspace))
    sink = rb.bot.sink(Where(key, channel))  # the sink a turn in this thread streams to
    return asyncio.create_task(rb.engine.approvals.ask(request, sink))


async def prompt_in(fake: FakeDiscord, thread: dict) -> dict:
    return await wait_for(lambda: next((m for m in fake.bot_messages(thread["id"]) if fake.buttons(m["id"])), None))


def custom_id(fake: FakeDiscord, prompt: dict, label: str) -> str:
    return next(b["custom_id"] for b in fake.buttons(prompt["id"]) if b["label"] == label)


async def answered(fake: FakeDiscord, iid: str) -> tuple[float, dict]:
    """Waits for the interaction's callback; the seconds it took and its body."""
    started = time.monotonic()
    await wait_for(lambda: fake.interaction_replies.get(iid))
    return time.monotonic() - started, fake.interaction_replies[iid][0][1]


async def test_the_asker_approves_with_a_button_and_the_prompt_shows_it(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        key, thread, turn_id, alice = await conversation(rb)
        task = asking(rb, key, request_for(key, turn_id, alice))
        prompt = await prompt_in(fake, thread)
        assert f"<@{alice['id']}> asked me to run **tasks.delete**: delete task \\*3\\*" in prompt["content"]
        approve = custom_id(fake, prompt, "Approve")
        assert approve.startswith("hb_appr:y:") and len(approve) <= 100
        iid = await fake.press(alice, prompt["id"], approve)
        seconds, callback = await answered(fake, iid)
        assert seconds < 3.0 and callback["type"] == 6  # acknowledged at once; the prompt is edited after
        decision = await asyncio.wait_for(task, 5)
        assert decision.approved and decision.by == alice["id"]
        await wait_for(lambda: "Approved by" in prompt["content"])
        assert f"✅ Approved by <@{alice['id']}>" in prompt["content"] and fake.buttons(prompt["id"]) == []
        record = rb.engine.approvals.of_turn(turn_id)[0]
        assert (record.outcome, record.decided_by) == ("approved", alice["id"])
        assert record.prompt_ref == f"{thread['id']}:{prompt['id']}"


async def test_someone_else_is_refused_privately_then_a_server_manager_denies(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        key, thread, turn_id, alice = await conversation(rb)
        request = request_for(key, turn_id, alice)
        task = asking(rb, key, request)
        prompt = await prompt_in(fake, thread)
        bob, mod = fake.user("bob"), fake.user("mod")
        iid = await fake.press(bob, prompt["id"], custom_id(fake, prompt, "Approve"))
        _, reply = await answered(fake, iid)
        assert reply["type"] == 4 and reply["data"]["flags"] & 64  # an ephemeral message, only Bob sees it
        assert f"Only <@{alice['id']}> (who asked) or an admin can decide" in reply["data"]["content"]
        assert rb.engine.approvals.request(request.id) == request and not task.done()  # still pending
        assert len(fake.buttons(prompt["id"])) == 2
        iid = await fake.press(mod, prompt["id"], custom_id(fake, prompt, "Deny"), permissions=str(MANAGE_GUILD))
        decision = await asyncio.wait_for(task, 5)
        assert (decision.outcome, decision.by) == ("denied", mod["id"])
        await wait_for(lambda: "Denied by" in prompt["content"])
        assert f"❌ Denied by <@{mod['id']}>" in prompt["content"] and fake.buttons(prompt["id"]) == []


async def test_no_answer_in_time_denies_and_a_late_click_hears_it_expired(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        key, thread, turn_id, alice = await conversation(rb)
        task = asking(rb, key, request_for(key, turn_id, alice, timeout=0.5))
        prompt = await prompt_in(fake, thread)
        approve = custom_id(fake, prompt, "Approve")
        decision = await asyncio.wait_for(task, 5)
        assert decision.outcome == "timeout" and not decision.approved
        await wait_for(lambda: "⌛" in prompt["content"])
        assert "No answer in time — not run" in prompt["content"] and fake.buttons(prompt["id"]) == []
        prompt["components"] = [{"type": 1, "components": [{"type": 2, "style": 3, "label": "Approve",
                                                            "custom_id": approve}]}]  # fmt: skip  # a stale client
        iid = await fake.press(alice, prompt["id"], approve)
        _, reply = await answered(fake, iid)
        assert reply["data"]["flags"] & 64 and "This request expired" in reply["data"]["content"]


async def test_a_restart_marks_a_waiting_prompt_expired(tmp_path, fake_ollama, fake_openai):
    async with FakeDiscord() as fake:
        async with running_bot(tmp_path, fake_ollama, fake_openai, stand_in=fake) as first:
            key, thread, turn_id, alice = await conversation(first)
            task = asking(first, key, request_for(key, turn_id, alice))
            prompt = await prompt_in(fake, thread)
            approve = custom_id(fake, prompt, "Approve")
        # The first process is gone with the request waiting (its task never finished): nothing closed the row.
        async with running_bot(tmp_path, fake_ollama, fake_openai, stand_in=fake) as second:
            await wait_for(lambda: "expired with a restart" in prompt["content"])  # on_ready edited it
            assert fake.buttons(prompt["id"]) == [] and "Ask me again" in prompt["content"]
            assert second.engine.approvals.of_turn(turn_id)[0].outcome == "interrupted"
            assert await note_interrupted_approvals(second.bot) == 0  # marked once
            prompt["components"] = [{"type": 1, "components": [{"type": 2, "style": 3, "label": "Approve",
                                                                "custom_id": approve}]}]  # fmt: skip
            iid = await fake.press(alice, prompt["id"], approve)  # a click on the old prompt
            _, reply = await answered(fake, iid)
            assert "expired with a restart" in reply["data"]["content"]
        task.cancel()


async def test_a_dropped_gateway_loses_no_click_and_lets_no_one_else_decide(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        key, thread, turn_id, alice = await conversation(rb)
        request = request_for(key, turn_id, alice)
        task = asking(rb, key, request)
        prompt = await prompt_in(fake, thread)
        await fake.drop()  # the websocket goes while the request waits; both clicks are replayed on RESUME
        bob_click = await fake.press(fake.user("bob"), prompt["id"], custom_id(fake, prompt, "Approve"))
        alice_click = await fake.press(alice, prompt["id"], custom_id(fake, prompt, "Deny"))
        await wait_for(lambda: fake.resumes == 1 and fake.connected)
        decision = await asyncio.wait_for(task, 5)
        assert (decision.outcome, decision.by) == ("denied", alice["id"])
        _, refused = await answered(fake, bob_click)
        assert refused["data"]["flags"] & 64 and "Only" in refused["data"]["content"]
        assert (await answered(fake, alice_click))[1]["type"] == 6


async def test_in_a_dm_only_the_asker_decides(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice, bob = fake.user("alice"), fake.user("bob")
        dm = fake.dm_channel(alice)
        await fake.say(alice, "hello there", channel=dm)
        await wait_for(lambda: any("\n-# " in m["content"] for m in fake.bot_messages(dm["id"])))
        key = SessionKey("discord", "", dm["id"])
        turn_id = rb.engine.store.last_turn(rb.engine.store.conversation(key).id).id
        request = request_for(key, turn_id, alice)
        sink = rb.bot.sink(Where(key, rb.bot.get_partial_messageable(int(dm["id"])), private=True))
        task = asyncio.create_task(rb.engine.approvals.ask(request, sink))
        prompt = await wait_for(lambda: next((m for m in fake.bot_messages(dm["id"]) if fake.buttons(m["id"])), None))
        iid = await fake.press(bob, prompt["id"], custom_id(fake, prompt, "Approve"))  # Bob is no admin anywhere
        _, refused = await answered(fake, iid)
        assert "Only" in refused["data"]["content"] and not task.done()
        await fake.press(alice, prompt["id"], custom_id(fake, prompt, "Approve"))
        assert (await asyncio.wait_for(task, 5)).approved
