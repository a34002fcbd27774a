"""Streaming on real discord.py: throttled edits, 2,000-character splitting, 429s, failures mid-stream."""

from __future__ import annotations

import pytest

from tests.fakes.discord_server import running_bot, wait_for
from tests.integration.test_discord_conversations import final


async def ask_in_thread(fake, text: str = "go") -> dict:
    alice = fake.user("alice")
    await fake.say(alice, text, mention_bot=True)
    await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
    return fake.threads()[0]


async def test_edits_are_throttled_per_channel(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = " ".join(f"w{i}" for i in range(60))
    fake_ollama.token_delay = 0.01
    async with running_bot(tmp_path, fake_ollama, fake_openai, discord={"edit_interval": 0.25}) as rb:
        thread = await ask_in_thread(rb.fake)
        edits = rb.fake.calls_to("PATCH", rf"/channels/{thread['id']}/messages/\d+")
        times = [e.at for e in edits]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert len(edits) >= 2 and min(gaps) >= 0.2, f"edits closer than the interval: {gaps}"
        assert len(edits) <= 6, "60 tokens over ~0.6 s must not cause one edit per token"
        assert final(rb.fake, thread["id"]).startswith(fake_ollama.reply)


async def test_long_answer_splits_at_2000_with_code_fences(tmp_path, fake_ollama, fake_openai):
    code = "".join(f"print('line {i:03d} of a long program')\n" for i in range(120))
    fake_ollama.reply = f"Here is the program:\n```python\n{code}```\nThat is all."
    fake_openai.reply = fake_ollama.reply  # the difficulty router may pick either: the same answer from both
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        await fake.say(fake.user("alice"), "write a long program", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and fake.threads()[0])
        await wait_for(lambda: final(fake, thread["id"]) and "That is all." in final(fake, thread["id"]))
        parts = [m["content"] for m in fake.bot_messages(thread["id"])]
        assert len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
        assert parts[0].startswith("Here is the program:\n```python\n") and parts[0].endswith("\n```")
        for part in parts[1:-1]:
            assert part.startswith("```python\n") and part.endswith("\n```")
        assert parts[-1].startswith("```python\n") and "```\nThat is all.\n-# " in parts[-1]  # footer: either route
        rebuilt = "".join(p.removeprefix("```python\n").removesuffix("\n```") + "\n" for p in parts[:-1])
        assert rebuilt.replace("Here is the program:\n```python\n", "") == "".join(
            line + "\n" for line in code.splitlines()[: rebuilt.count("print(")]
        )


async def test_429_on_an_edit_is_honoured_and_final_text_is_right(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = "one two three four five six seven eight nine ten"
    fake_ollama.token_delay = 0.02
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        fake.inject_429("PATCH", r"/channels/\d+/messages/\d+", count=2, retry_after=0.15)
        thread = await ask_in_thread(fake)
        limited = [c for c in fake.too_many if c.method == "PATCH"]
        assert len(limited) == 2, "the stand-in's 429s were not met"
        assert rb.engine.metrics.value("hybridbot_upstream_429_total", source="discord") == 2
        edits = fake.calls_to("PATCH", rf"/channels/{thread['id']}/messages/\d+")
        assert edits[-1].status == 200 and edits[1].at - edits[0].at >= 0.14, "retry_after was not waited"
        message = fake.bot_messages(thread["id"])
        assert len(message) == 1 and message[0]["content"].startswith(fake_ollama.reply + "\n-# ")


async def test_model_failing_mid_stream_keeps_and_marks_the_partial_answer(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = "alpha beta gamma delta epsilon zeta eta theta"
    fake_ollama.inject("error_midstream", after=3, message="model crashed")
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        await fake.say(fake.user("alice"), "go", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and fake.threads()[0])
        text = await wait_for(
            lambda: [m["content"] for m in fake.bot_messages(thread["id"]) if "incomplete" in m["content"]], 5
        )
        assert text[0].startswith("alpha beta gamma")
        assert "⚠️ The answer above is incomplete" in text[0]


@pytest.mark.slow
async def test_answer_is_posted_again_when_its_message_is_deleted_mid_stream(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = " ".join(f"w{i}" for i in range(40))
    fake_ollama.token_delay = 0.02
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        await fake.say(fake.user("alice"), "go", mention_bot=True)
        thread = await wait_for(
            lambda: fake.threads() and fake.bot_messages(fake.threads()[0]["id"]) and fake.threads()[0]
        )
        await fake.delete(fake.bot_messages(thread["id"])[0]["id"])
        answer = await wait_for(lambda: final(fake, thread["id"]))
        assert answer.startswith(fake_ollama.reply + "\n-# 🔒 local")
        assert any(c.status == 404 for c in fake.calls_to("PATCH", rf"/channels/{thread['id']}/messages/\d+"))
