"""Slash commands and their menus, in Socket Mode and HTTP mode: acked at once, answered ephemerally."""

from __future__ import annotations

import urllib.parse

from tests.fakes.slack_server import BOT_USER, command_form, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


async def test_model_cloud_then_a_question_goes_to_the_cloud(slack_bot: SlackBot) -> None:
    slack_bot.fake.add_user(ALICE, "alice", admin=True)  # channel-wide changes are admin-only by default
    answer = await slack_bot.command("model", "cloud")
    assert answer["response_type"] == "ephemeral"
    assert "Model set to *cloud*" in answer["text"]
    assert slack_bot.ack_seconds < 3
    await wait_until(
        lambda: [m for m in slack_bot.fake.thread("C0GENERAL", None) if "set the channel model" in m.text],
        what="a channel-wide change announced in the channel",
    )
    ts = await slack_bot.mention("Explain how transformers work")
    reply = await slack_bot.answer("C0GENERAL", ts)
    assert "☁ cloud" in reply.footer and "openai:" in reply.footer
    assert slack_bot.fake_openai.chat_requests()
    assert not slack_bot.fake_ollama.chat_requests()


async def test_model_in_a_dm_refuses_the_cloud(slack_bot: SlackBot) -> None:
    answer = await slack_bot.command("model", "cloud", channel="D0ALICE")
    assert "private" in answer["text"] and "can't be set" in answer["text"]
    question = await slack_bot.message("hello there", channel="D0ALICE")
    reply = await slack_bot.answer("D0ALICE", question)
    assert "🔒 local" in reply.footer
    assert slack_bot.fake_openai.chat_requests() == []


async def test_model_without_arguments_offers_a_menu_and_picking_sets_it(slack_bot: SlackBot) -> None:
    slack_bot.fake.add_user(ALICE, "alice", admin=True)  # channel-wide changes are admin-only by default
    answer = await slack_bot.command("model")
    menu = answer["blocks"][1]["elements"][0]
    assert menu["type"] == "static_select" and menu["action_id"] == "hb_select_model"
    labels = [o["text"]["text"] for o in menu["options"]]
    assert any(label.startswith("🔒 ollama:") for label in labels)
    assert any(label.startswith("☁ openai:") for label in labels)
    before = len(slack_bot.fake.responses)
    local = next(o for o in menu["options"] if o["value"].startswith("ollama:"))
    await slack_bot.action({"action_id": "hb_select_model", "type": "static_select", "selected_option": local})
    picked = await wait_until(lambda: slack_bot.fake.responses[before:], what="menu answer")
    assert picked[0]["replace_original"] is True
    assert f"Model set to *{local['value']}*" in picked[0]["text"]


async def test_agent_lists_and_switches(slack_bot: SlackBot) -> None:
    listing = await slack_bot.command("agent")
    assert listing["blocks"][1]["elements"][0]["action_id"] == "hb_select_agent"
    switched = await slack_bot.command("agent", "code me")
    assert "Agent set to *code* for you" in switched["text"]
    ts = await slack_bot.mention("write a function")
    reply = await slack_bot.answer("C0GENERAL", ts)
    assert "code" in reply.footer


async def test_reset_forgets_the_channel_conversation(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.slack.channel_mode_channels = ["C0CHAN"]
    await slack_bot.mention("remember the number 42", channel="C0CHAN")
    await slack_bot.answer("C0CHAN", None)  # channel mode: answered at the top level
    answer = await slack_bot.command("reset", channel="C0CHAN")
    assert "forgot 2 message(s)" in answer["text"]


async def test_unknown_command_option_and_help(slack_bot: SlackBot) -> None:
    bad = await slack_bot.command("model", "gpt-9000")
    assert "Unknown model 'gpt-9000'" in bad["text"]
    helped = await slack_bot.command("help")
    assert "/model" in helped["text"] and "/privacy" in helped["text"]
    why = await slack_bot.command("why")
    assert "no answer" in why["text"]


async def test_channel_changes_can_be_limited_to_admins(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.slack.admin_only_channel_changes = True
    slack_bot.fake.add_user(BOB, "bob", admin=True)
    refused = await slack_bot.command("privacy", "cloud-ok", user=ALICE)
    assert "Only admins" in refused["text"]
    allowed = await slack_bot.command("privacy", "local-only", user=BOB)
    assert "set to *local-only*" in allowed["text"]
    mine = await slack_bot.command("model", "local me", user=ALICE)
    assert "for you" in mine["text"]


async def test_commands_in_a_thread_through_a_mention_act_on_that_thread(slack_bot: SlackBot) -> None:
    ts = await slack_bot.mention("remember: my favourite fruit is mango")
    await slack_bot.answer("C0GENERAL", ts)
    await slack_bot.mention("/model cloud thread", thread_ts=ts)
    note = await wait_until(lambda: slack_bot.fake.ephemeral, what="ephemeral answer")
    assert note[0]["thread_ts"] == ts and note[0]["user"] == ALICE
    assert "for this thread" in note[0]["text"]
    await slack_bot.message("what did I say?", thread_ts=ts)
    assert "☁ cloud" in (await slack_bot.answer("C0GENERAL", ts, count=2)).footer
    await slack_bot.mention("/reset", thread_ts=ts)
    forgot = await wait_until(lambda: slack_bot.fake.ephemeral[1:], what="reset answer")
    assert "forgot 4 message(s)" in forgot[0]["text"]
    other = await slack_bot.mention("a new question elsewhere")
    assert "🔒 local" in (await slack_bot.answer("C0GENERAL", other)).footer  # the thread setting stayed there


async def test_help_says_how_to_run_commands_in_threads_and_the_thread_form_works_in_dm_threads(
    slack_bot: SlackBot,
) -> None:
    help_text = (await slack_bot.command("help"))["text"]
    assert "doesn't run slash commands" in help_text and "/reset" in help_text
    question = await slack_bot.message("remember: the code word is mango", channel="D0ALICE")
    await slack_bot.answer("D0ALICE", question)
    await slack_bot.message(f"<@{BOT_USER}> /reset", channel="D0ALICE", thread_ts=question)
    note = await wait_until(lambda: slack_bot.fake.ephemeral, what="reset answer")
    assert note[0]["thread_ts"] == question and "forgot 2 message(s)" in note[0]["text"]


async def test_an_expired_response_url_falls_back_to_chat_post_ephemeral(slack_bot: SlackBot) -> None:
    slack_bot.fake.response_urls_expired = True
    form_before = len(slack_bot.fake.ephemeral)
    form = command_form(slack_bot.fake, "help", "", channel="C0GENERAL", user=ALICE)
    if slack_bot.mode == "socket":
        await slack_bot.fake.send_socket("slash_commands", form)
    else:
        await slack_bot.fake.post_http(slack_bot.url, urllib.parse.urlencode(form), form=True)
    note = await wait_until(lambda: slack_bot.fake.ephemeral[form_before:], what="postEphemeral")
    assert note[0]["user"] == ALICE and "/model" in note[0]["text"]


async def test_forget_me_deletes_what_is_stored_about_the_caller(slack_bot: SlackBot) -> None:
    ts = await slack_bot.mention("My cat is called Biscuit.")
    await slack_bot.answer("C0GENERAL", ts)
    count = "SELECT count(*) FROM messages WHERE content LIKE '%Biscuit%'"
    assert slack_bot.engine.store.conn.execute(count).fetchone()[0] == 2  # the question and its echoed answer
    answer = await slack_bot.command("forget", "me")
    assert answer["response_type"] == "ephemeral" and "Biscuit" not in answer["text"]
    assert slack_bot.engine.store.conn.execute(count).fetchone()[0] == 0
