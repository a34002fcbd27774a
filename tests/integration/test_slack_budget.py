"""Many long answers streaming at once in one workspace stay within Slack's per-method rate tiers.

The Slack stand-in enforces the tiers per workspace and method (chat.update Tier 3, chat.appendStream Tier 4,
chat.startStream/stopStream Tier 2) on a 1-second "minute"; the bot's budget runs on the same minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Message
from tests.integration.test_slack_harness import SlackBot, start_bot

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

ANSWERS = 10
LONG_ANSWER = " ".join(f"word{i}" for i in range(160)) + " END"  # streamed over ~2.5 s
TOML = "[ollama]\nmax_concurrent = 0\n[limits]\nenabled = false\n"


@pytest.fixture(params=["update", "native"])
async def busy_bot(
    request: pytest.FixtureRequest, tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> AsyncIterator[SlackBot]:
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket", toml=TOML)
        bot.engine.settings.slack.stream_mode = request.param
        fake_ollama.reply, fake_ollama.token_delay = LONG_ANSWER, 0.015
        try:
            yield bot
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()


async def _ten_answers_at_once(bot: SlackBot) -> list[Message]:
    questions = [await bot.mention(f"question {n}", channel="C0BUSY") for n in range(ANSWERS)]
    return list(await asyncio.gather(*(bot.answer("C0BUSY", q, wait=30) for q in questions)))


async def test_ten_long_answers_at_once_meet_no_429_all_complete_and_share_edits_fairly(busy_bot: SlackBot) -> None:
    fake = busy_bot.fake
    answers = await _ten_answers_at_once(busy_bot)
    assert fake.rate_limited == 0, [c.method for c in fake.calls if c.status == 429]
    for answer in answers:
        assert answer.shown.rstrip().endswith("END") and "🔒 local" in answer.footer
    # Native streams append; answers that could not start a stream (Tier 2) stream by chat.update instead.
    edits = fake.calls_to("chat.update") + fake.calls_to("chat.appendStream")
    per_answer = [len([c for c in edits if c.args.get("ts") == a.ts]) for a in answers]
    assert min(per_answer) >= 1, per_answer  # every answer visibly streamed
    assert min(per_answer) * 3 >= max(per_answer), per_answer  # and none starved while others edited freely


@pytest.mark.parametrize("busy_bot", ["update"], indirect=True)
async def test_without_the_budget_the_same_load_meets_429s(busy_bot: SlackBot) -> None:
    """The control: the stand-in's tiers are real limits, so the budget above is what keeps them."""
    busy_bot.engine.settings.slack.update_interval = 0.02
    busy_bot.adapter.bot.budget.interval = lambda team, method: 0.0  # type: ignore[method-assign]
    busy_bot.adapter.bot.budget.try_take = lambda team, method: True  # type: ignore[method-assign]
    await _ten_answers_at_once(busy_bot)
    assert busy_bot.fake.rate_limited > 0
