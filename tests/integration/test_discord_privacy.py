"""Discord private conversations and thread titles, on real discord.py against the stand-ins (issue 9)."""

from __future__ import annotations

import json

from tests.fakes.discord_server import running_bot, wait_for

CLOUD = '[routing]\ndefault_model = "cloud"'
AWS_KEY = "AKIA" + "QZ7XK4PL2MNB6RTY"


def final(fake, channel_id: str) -> str | None:  # noqa: ANN001
    messages = fake.bot_messages(channel_id)
    return messages[-1]["content"] if messages and "\n-# " in messages[-1]["content"] else None


async def test_group_dms_are_private_conversations_like_dms(tmp_path, fake_ollama, fake_openai):  # noqa: ANN001
    async with running_bot(tmp_path, fake_ollama, fake_openai, extra_toml=CLOUD) as rb:
        fake = rb.fake
        alice, bob = fake.user("alice"), fake.user("bob")
        group = fake.group_dm_channel(alice, bob)
        await fake.say(alice, "draft our private offsite plan in detail, step by step", channel=group)
        answer = await wait_for(lambda: final(fake, group["id"]))
        assert "🔒 local" in answer
        assert fake_openai.chat_requests() == [] and not fake_openai.saw_text("offsite")


async def test_a_thread_opened_from_a_message_is_not_titled_with_its_secret(tmp_path, fake_ollama, fake_openai):  # noqa: ANN001
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        await fake.say(alice, f"why is {AWS_KEY} rejected for jane.doe@acme.io?", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]) and fake.threads()[0])
        assert AWS_KEY not in thread["name"] and "jane.doe" not in thread["name"]
        assert "[REDACTED:" in thread["name"]
        created = fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")
        assert created and AWS_KEY not in json.dumps(created[0].json)  # never sent to Discord at all
