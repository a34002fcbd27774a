"""Conversations on real discord.py against the Discord stand-in: mentions, threads, memory, DMs, bots."""

from __future__ import annotations

import json

import pytest

from adapters.discord.client import DMS_OFF, NO_TEXT, SHORT_HELP
from bot.session import SessionKey
from tests.fakes.discord_server import running_bot, wait_for


def final(fake, channel_id: str) -> str | None:
    """The bot's last message in a channel once it carries the route footer."""
    messages = fake.bot_messages(channel_id)
    if messages and "\n-# " in messages[-1]["content"]:
        return messages[-1]["content"]
    return None


def prompt_text(request: dict) -> str:
    return json.dumps(request["messages"], ensure_ascii=False)


async def test_mention_opens_thread_and_streams_answer(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = "Paris is the capital of France, a country in Europe with a long history."
    fake_ollama.token_delay = 0.02
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        question = await fake.say(alice, "What is the capital of France?", mention_bot=True)
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        thread = fake.threads()[0]
        assert thread["id"] == question["id"] and thread["parent_id"] == fake.channel["id"]
        assert thread["name"] == "What is the capital of France?"
        assert answer.startswith("Paris is the capital of France")
        assert "\n-# 🔒 local · ollama:" in answer and "general" in answer.rsplit("-#", 1)[1]
        posts = fake.calls_to("POST", rf"/channels/{thread['id']}/messages")
        assert len(posts) == 1 and len(posts[0].json["content"]) < len(answer), "first text was not sent early"
        assert fake.calls_to("PATCH", rf"/channels/{thread['id']}/messages/\d+"), "the answer was not edited in"
        assert fake.calls_to("POST", rf"/channels/{thread['id']}/typing")
        assert not fake.bot_messages(fake.channel["id"]), "the answer belongs in the thread"


async def test_thread_follow_up_without_mention_uses_memory(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice, bob = fake.user("alice"), fake.user("bob")
        await fake.say(alice, "My favourite colour is teal.", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]) and fake.threads()[0])
        await fake.say(bob, "What colour did she say?", channel=thread)
        await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 2 and final(fake, thread["id"]))
        requests = fake_ollama.chat_requests()
        assert len(requests) == 2, "the bot answered its own messages or missed the follow-up"
        prompt = prompt_text(requests[-1])
        assert "favourite colour is teal" in prompt and "What colour did she say?" in prompt
        assert "Alice" in prompt and "Bob" in prompt, "speakers are attributed by display name"


async def test_reply_to_bot_continues_inline(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai, discord={"reply_mode": "inline"}) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        question = await fake.say(alice, "Remember the number 4711.", mention_bot=True)
        first = await wait_for(lambda: final(fake, fake.channel["id"]))
        answer = fake.bot_messages(fake.channel["id"])[-1]
        assert answer["message_reference"]["message_id"] == question["id"], "inline answers reply to the question"
        assert not fake.threads() and first
        await fake.say(alice, "Which number was it?", reply_to=answer["id"])
        await wait_for(lambda: len(fake.bot_messages(fake.channel["id"])) == 2 and final(fake, fake.channel["id"]))
        assert "Remember the number 4711." in prompt_text(fake_ollama.chat_requests()[-1])
        await fake.say(alice, "nobody asked you")  # no mention, no reply: not for the bot
        await fake.say(alice, "ping", mention_bot=True)
        await wait_for(lambda: len(fake_ollama.chat_requests()) == 3)
        assert "nobody asked you" not in json.dumps(fake_ollama.chat_requests())


async def test_dm_stays_local_even_when_cloud_is_the_default(tmp_path, fake_ollama, fake_openai):
    cloud = '[routing]\ndefault_model = "cloud"'
    async with running_bot(tmp_path, fake_ollama, fake_openai, extra_toml=cloud) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        dm = fake.dm_channel(alice)
        await fake.say(alice, "my salary is 91k, draft a raise request", channel=dm)
        answer = await wait_for(lambda: final(fake, dm["id"]))
        assert "🔒 local" in answer
        assert fake_openai.chat_requests() == [] and not fake_openai.saw_text("salary")
        # The same default in a server channel does go to the cloud: the DM was private by construction.
        await fake.say(alice, "hello there", mention_bot=True)
        await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert "☁ cloud" in final(fake, fake.threads()[0]["id"]) and fake_openai.chat_requests()


async def test_bots_and_blocked_users_are_ignored(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        robot, mallory, alice = fake.user("robot", bot=True), fake.user("mallory"), fake.user("alice")
        rb.bot.cfg.blocked_users = [mallory["id"]]
        await fake.say(robot, "hello bot", mention_bot=True)
        await fake.say(mallory, "hello bot", mention_bot=True)
        await fake.say(alice, "hello from alice", mention_bot=True)
        await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert len(fake.threads()) == 1 and len(fake_ollama.chat_requests()) == 1
        assert "hello from alice" in prompt_text(fake_ollama.chat_requests()[0])
        rb.bot.cfg.respond_to_bots = True  # configured: other bots are answered too (never itself)
        await fake.say(robot, "hello again from a bot", mention_bot=True)
        await wait_for(lambda: len(fake.threads()) == 2 and final(fake, fake.threads()[1]["id"]))
        assert len(fake_ollama.chat_requests()) == 2
        rb.bot.cfg.allow_dms = False
        dm = fake.dm_channel(alice)
        await fake.say(alice, "a private question", channel=dm)
        await wait_for(lambda: fake.bot_messages(dm["id"]))
        assert fake.bot_messages(dm["id"])[0]["content"] == DMS_OFF and len(fake_ollama.chat_requests()) == 2


async def test_bad_input_gets_clear_answers(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        await fake.say(alice, "", mention_bot=True)
        await wait_for(lambda: fake.bot_messages(fake.channel["id"]))
        assert fake.bot_messages(fake.channel["id"])[0]["content"] == SHORT_HELP
        sticker = [{"id": fake.snowflake(), "name": "wave", "format_type": 1}]
        await fake.say(alice, "", mention_bot=True, sticker_items=sticker)
        await wait_for(lambda: len(fake.bot_messages(fake.channel["id"])) == 2)
        assert fake.bot_messages(fake.channel["id"])[1]["content"] == NO_TEXT
        attachment = fake.attachment("notes.txt", b"gone before it was read", "text/plain")
        fake.file_host.faults[attachment["id"]] = "404"  # deleted before the bot could download it
        await fake.say(alice, "what is in this file?", mention_bot=True, attachments=[attachment])
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert "notes.txt: not read — it could not be downloaded" in answer  # the text is answered, the file named
        nitro = "word " * 800  # a 4,000-character Nitro message: answered whole (the router may pick any model)
        fake_ollama.reply = fake_openai.reply = "ok"
        await fake.say(alice, nitro, channel=fake.threads()[0])
        requests = lambda: fake_ollama.chat_requests() + fake_openai.chat_requests()  # noqa: E731
        await wait_for(lambda: len(requests()) == 2)
        assert nitro.strip() in prompt_text(requests()[-1])
        assert len(fake.threads()) == 1


@pytest.mark.slow
async def test_queued_turn_shows_its_place_then_its_answer(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = " ".join(f"w{i}" for i in range(15))
    fake_ollama.token_delay = 0.03
    async with running_bot(tmp_path, fake_ollama, fake_openai, discord={"reply_mode": "inline"}) as rb:
        fake = rb.fake
        alice, bob = fake.user("alice"), fake.user("bob")
        await fake.say(alice, "first question", mention_bot=True)
        await wait_for(lambda: fake.bot_messages(fake.channel["id"]))
        await fake.say(bob, "second question", mention_bot=True)
        await wait_for(lambda: sum("\n-# " in m["content"] for m in fake.bot_messages(fake.channel["id"])) == 2)
        posts = [c.json["content"] for c in fake.calls_to("POST", rf"/channels/{fake.channel['id']}/messages")]
        assert posts[1] == "-# ⏳ 1 ahead of you in this conversation"
        second = fake.bot_messages(fake.channel["id"])[1]
        assert second["content"].startswith("w0 w1") and "⏳" not in second["content"]


async def test_channel_allow_list_honours_thread_parents(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        rb.bot.cfg.allowed_channels = [fake.category_id]  # #general sits in this category, #random does not
        alice = fake.user("alice")
        await fake.say(alice, "in random", channel=fake.other_channel, mention_bot=True)
        await fake.say(alice, "in general", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]) and fake.threads()[0])
        await fake.say(alice, "follow-up in the thread", channel=thread)
        await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 2 and final(fake, thread["id"]))
        assert len(fake.threads()) == 1 and not fake.bot_messages(fake.other_channel["id"])
        assert "in random" not in json.dumps(fake_ollama.chat_requests())


async def test_mention_in_an_uncached_user_thread_is_answered_there(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        thread = fake.user_thread(alice)
        await fake.say(alice, "chatter the bot should not fetch anything for", channel=thread)
        await fake.say(alice, "now a question for the bot", channel=thread, mention_bot=True)
        answer = await wait_for(lambda: final(fake, thread["id"]))
        assert "You said: now a question for the bot" in answer and not fake.bot_messages(fake.channel["id"])
        assert len(fake.calls_to("GET", rf"/channels/{thread['id']}")) == 1
        conv = rb.engine.store.conversation(SessionKey("discord", fake.guild_id, fake.channel["id"], thread["id"]))
        assert rb.engine.store.count_messages(conv.id) == 2
