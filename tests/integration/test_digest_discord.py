"""`/summarize` on Discord through discord.py and the Discord stand-in: channel.history paged 100 at a time,
progress in the deferred reply, a DM's digest on the local model only, a channel the bot can't read."""

from __future__ import annotations

import time

from tests.fakes.discord_server import running_bot, wait_for

CLOUD_FIRST = '[routing]\ndefault_model = "cloud"\n'


def opt(name: str, value: str) -> dict:
    return {"name": name, "type": 3, "value": value}


def seed(fake, channel, author, count: int, *, start: float | None = None) -> None:  # noqa: ANN001
    base = start if start is not None else time.time() - 2 * 86400
    for i in range(count):
        fake.earlier_message(channel, author, f"note {i}: the API freeze starts on the 9th", base + i * 60)


async def digest_of(fake, iid: str) -> str:  # noqa: ANN001
    return await wait_for(lambda: "Digest of" in fake.reply_text(iid) and fake.reply_text(iid), within=10)


async def test_channel_digest_pages_the_history_and_shows_progress(tmp_path, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = "- the API freeze starts on the 9th"
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        seed(fake, fake.channel, alice, 3, start=time.time() - 20 * 86400)  # outside the window
        seed(fake, fake.channel, alice, 250)
        iid = await fake.interact(alice, "summarize", [opt("since", "7d")])
        text = await digest_of(fake, iid)
        assert "Digest of this channel, the last 7 days** (250 messages · 🔒" in text
        assert "- the API freeze starts on the 9th" in text
        kinds = [kind for kind, _ in fake.interaction_replies[iid]]
        assert kinds[0] == "callback" and fake.interaction_replies[iid][0][1]["type"] == 5  # deferred at once
        edits = [body.get("content", "") for kind, body in fake.interaction_replies[iid] if kind == "edit"]
        assert any("📖 reading 250 messages…" in e for e in edits)
        pages = fake.calls_to("GET", rf"/channels/{fake.channel['id']}/messages")
        assert len(pages) == 3  # 100 + 100 + 50
        prompts = str(fake_ollama.chat_requests())
        assert "note 249:" in prompts and "note 0:" in prompts and "Alice" in prompts


async def test_dm_digest_stays_local_and_a_public_one_may_use_the_cloud(tmp_path, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = "- local"
    fake_openai.reply = "- cloud"
    async with running_bot(tmp_path, fake_ollama, fake_openai, extra_toml=CLOUD_FIRST) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        seed(fake, fake.channel, alice, 5)
        public = await digest_of(fake, await fake.interact(alice, "summarize"))
        assert "☁" in public and fake_openai.saw_text("note 4: the API freeze")  # the control: cloud allowed here
        dm = fake.dm_channel(alice)
        fake.earlier_message(dm, alice, "my new badge PIN is 8841, keep it", time.time() - 60)
        private = await digest_of(fake, await fake.interact(alice, "summarize", channel=dm))
        assert "🔒" in private and "- local" in private
        assert not fake_openai.saw_text("badge PIN") and "badge PIN" in str(fake_ollama.chat_requests())


async def test_a_channel_the_bot_cannot_read_is_explained(tmp_path, fake_ollama, fake_openai) -> None:
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        fake.unreadable.add(fake.channel["id"])
        iid = await fake.interact(alice, "summarize")
        text = await wait_for(lambda: "Read Message History" in fake.reply_text(iid) and fake.reply_text(iid))
        assert "permission" in text and fake_ollama.chat_requests() == []
