"""`/summarize` on Slack through slack-bolt/slack-sdk and the Slack stand-in: conversations.history and
conversations.replies with cursor paging, 429s waited out as Retry-After says, scopes; the digest of a private
channel stays on the local model (leak tests, with the local model down too)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot, start_bot

slack_bot = test_slack_harness.slack_bot  # the fixture (socket and http), shared

CLOUD_FIRST = '[routing]\ndefault_model = "cloud"\n'  # where the cloud is allowed, it is used: leaks would show
SECRET_LINE = "the staging db password is Tr0ub4dor&3-horse"


@pytest.fixture
async def cloud_first(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[SlackBot]:
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket", toml=CLOUD_FIRST)
        try:
            yield bot
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()


def seed(fake: FakeSlack, channel: str, count: int, *, thread_ts: str | None = None, start: float | None = None):  # noqa: ANN201
    base = start if start is not None else time.time() - 3 * 86400
    return [
        fake.post_history(
            channel,
            f"update {i}: migration batch {i} done",
            user=(ALICE, BOB)[i % 2],
            at=base + i * 60,
            thread_ts=thread_ts,
        )  # fmt: skip
        for i in range(count)
    ]


async def final(fake: FakeSlack, marker: str = "Digest of") -> dict:
    return await wait_until(
        lambda: next((r for r in fake.responses if marker in str(r.get("text"))), None), 10, what="the digest"
    )


async def test_channel_digest_pages_with_cursors_and_waits_out_429s(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    fake.internal_app = True  # Tier 3 and up to 999 a call: 200 a page as asked
    seed(fake, "C0GENERAL", 5, start=time.time() - 9 * 86400)  # older than the window: not read
    seed(fake, "C0GENERAL", 340)
    fake.inject_429("conversations.history", count=4, retry_after=0)  # past slack-sdk's 3 retries: ours wait
    slack_bot.fake_ollama.reply = "- migrations 0–339 done"
    await slack_bot.command("summarize")
    answer = await final(fake)
    assert "Digest of this channel, the last 7 days" in answer["text"] and "(340 messages" in answer["text"]
    assert "• migrations 0–339 done" in answer["text"] and answer.get("replace_original") is True
    calls = [c for c in fake.calls_to("conversations.history") if c.status == 200]
    assert len(calls) == 2 and "cursor" not in calls[0].args and calls[1].args["cursor"] == "next_ts:200"
    assert abs(float(calls[0].args["oldest"]) - (time.time() - 7 * 86400)) < 60
    assert len([c for c in fake.calls_to("conversations.history") if c.status == 429]) == 4
    assert "📖" in str(fake.responses[0].get("text"))  # progress first, on the same response_url
    prompts = " ".join(str(b) for b in slack_bot.fake_ollama.chat_requests())
    assert "update 339: migration batch 339 done" in prompts and "alice" in prompts


@pytest.mark.slow  # waits out the stand-in's Retry-After (1 s) twice
async def test_thread_digest_reads_replies_15_at_a_time_at_tier_1(slack_bot: SlackBot) -> None:
    """Outside the Marketplace: 1 call and 15 messages a minute (the stand-in's minute is 1 s here)."""
    fake = slack_bot.fake
    root = seed(fake, "C0GENERAL", 1)[0]
    seed(fake, "C0GENERAL", 40, thread_ts=root.ts, start=float(root.ts) + 1)
    slack_bot.fake_ollama.reply = "- the thread, summarised"
    await slack_bot.mention("/summarize", thread_ts=root.ts)
    answer = await wait_until(
        lambda: next((e for e in fake.ephemeral if "Digest of this thread" in str(e.get("text"))), None), 15
    )
    assert "(41 messages" in answer["text"] and answer["thread_ts"] == root.ts and answer["user"] == ALICE
    ok = [c for c in fake.calls_to("conversations.replies") if c.status == 200 and c.args.get("ts") == root.ts]
    assert len(ok) == 3 and [c.args.get("cursor") for c in ok] == [None, "next_ts:15", "next_ts:30"]
    assert fake.rate_limited >= 1  # Slack said wait; the bot waited and read on


async def test_missing_history_scope_is_explained(slack_bot: SlackBot) -> None:
    slack_bot.fake.scopes.discard("channels:history")
    seed(slack_bot.fake, "C0GENERAL", 3)
    await slack_bot.command("summarize")
    answer = await final(slack_bot.fake, "permission")
    assert "channels:history" in answer["text"] and "reinstalling the app" in answer["text"]
    assert slack_bot.fake_ollama.chat_requests() == []


async def test_clean_public_channel_may_use_the_cloud_when_configured(cloud_first: SlackBot) -> None:
    fake = cloud_first.fake
    seed(fake, "C0GENERAL", 12)
    cloud_first.fake_openai.reply = "- cloud digest"
    await cloud_first.command("summarize", "since 7d")
    answer = await final(fake)
    assert "☁" in answer["text"] and "• cloud digest" in answer["text"]  # the control: the cloud path works
    assert cloud_first.fake_openai.saw_text("update 11: migration batch 11 done")


async def test_private_channel_digest_never_reaches_the_cloud(cloud_first: SlackBot) -> None:
    fake = cloud_first.fake
    seed(fake, "G0SECRET", 12)
    fake.post_history("G0SECRET", "launch codename is BLUEHERON", user=BOB, at=time.time() - 100)
    cloud_first.fake_ollama.reply = "- private digest"
    await cloud_first.command("summarize", channel="G0SECRET")
    answer = await final(fake)
    assert "🔒" in answer["text"] and "• private digest" in answer["text"]
    assert any(c.args.get("channel") == "G0SECRET" for c in fake.calls_to("conversations.history"))
    assert cloud_first.fake_openai.chat_requests() == [] and not cloud_first.fake_openai.saw_text("BLUEHERON")
    assert "BLUEHERON" in str(cloud_first.fake_ollama.chat_requests())


async def test_sensitive_history_in_a_public_channel_with_the_local_model_down_is_refused(
    cloud_first: SlackBot,
) -> None:
    fake = cloud_first.fake
    seed(fake, "C0GENERAL", 5)
    fake.post_history("C0GENERAL", SECRET_LINE, user=BOB, at=time.time() - 50)
    cloud_first.fake_ollama.fail_all("status", status=503)  # the local model is down
    await cloud_first.command("summarize")
    answer = await final(fake, "Nothing was sent")
    assert "failed while summarising" in answer["text"]  # told, not silently sent to the cloud instead
    assert cloud_first.fake_openai.chat_requests() == [] and not cloud_first.fake_openai.saw_text("Tr0ub4dor")


async def test_a_display_name_that_is_an_email_address_keeps_the_digest_off_the_cloud(cloud_first: SlackBot) -> None:
    fake = cloud_first.fake
    fake.add_user("U0CAROL", "carol.jones@acme-corp.io")  # a display name is text in the digest's prompt too
    seed(fake, "C0GENERAL", 4)
    fake.post_history("C0GENERAL", "shipping the release on Friday", user="U0CAROL", at=time.time() - 30)
    cloud_first.fake_ollama.reply = "- local digest"
    await cloud_first.command("summarize")
    answer = await final(fake)
    assert "🔒" in answer["text"] and "• local digest" in answer["text"]
    assert cloud_first.fake_openai.chat_requests() == [] and not cloud_first.fake_openai.saw_text("carol.jones")
    assert "carol.jones@acme-corp.io" in str(cloud_first.fake_ollama.chat_requests())
