"""A burst over many new channels: look-ups that meet Slack's 429 wait out Retry-After (bounded) instead of failing
closed at once, and answers the workspace's edit budget can't stream are posted once, whole (burstfix).
Real slack-bolt/slack-sdk against the Slack stand-in.
"""

from __future__ import annotations

import time

import pytest

from adapters.slack import lookups
from tests.fakes.slack_server import TEAM
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import SlackBot
from tests.integration.test_slack_lookups import _all_answered, _app_mention, _asked_about

slack_bot = test_slack_harness.slack_bot  # the fixture, shared

BOB = "U0BOB"


@pytest.mark.slow  # waits out a real Retry-After
async def test_a_rate_limited_channel_look_up_waits_and_a_public_channel_stays_public(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.inject_429("conversations.info", count=6, retry_after=0)  # more than slack-sdk's own 3 retries
    await _all_answered(slack_bot, [_app_mention(fake, "C0PUBLIC", text=f"question {i}") for i in range(3)])
    assert _asked_about(fake, "conversations.info", "channel", "C0PUBLIC") == 7  # shared by the three turns
    assert len(slack_bot.fake_openai.chat_requests()) == 3  # public: answered by the cloud model, not queued local


@pytest.mark.slow  # waits out a real Retry-After
async def test_a_look_up_still_rate_limited_past_the_bound_fails_closed(
    slack_bot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lookups, "LOOKUP_WAIT", 1.0)
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.inject_429("conversations.info", count=1000, retry_after=0)
    await _all_answered(slack_bot, [_app_mention(fake, "C0JAMMED")])
    assert not slack_bot.fake_openai.chat_requests()  # not known public: stayed local
    fake._faults["conversations.info"].clear()
    await _all_answered(slack_bot, [_app_mention(fake, "C0JAMMED")])
    assert len(slack_bot.fake_openai.chat_requests()) == 1  # asked again, now public


async def test_a_real_look_up_failure_fails_closed_without_waiting(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.errors["conversations.info"] = "internal_error"
    await _all_answered(slack_bot, [_app_mention(fake, "C0BROKEN")])
    assert _asked_about(fake, "conversations.info", "channel", "C0BROKEN") == 1
    assert not slack_bot.fake_openai.chat_requests()


async def test_a_rate_limited_name_is_asked_again_by_a_later_turn(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    fake.inject_429("users.info", count=1, retry_after=0)
    await _all_answered(slack_bot, [_app_mention(fake, "C0NAMES")])
    assert slack_bot.adapter.bot.users.get(BOB) is None  # one try (no retries of its own), nothing wrong cached
    await _all_answered(slack_bot, [_app_mention(fake, "C0NAMES")])
    assert slack_bot.adapter.bot.users.get(BOB).name == "bob"
    assert _asked_about(fake, "users.info", "user", BOB) == 2


async def test_an_answer_never_waits_for_a_rate_limited_display_name(slack_bot: SlackBot) -> None:
    """Burst: 500 new users meet users.info's Tier 4. Their answers go on with the user's id as the name, and
    one 429 pauses the name look-ups of every turn for its Retry-After (no 429 per user, nor retries)."""
    fake = slack_bot.fake
    fake.inject_429("users.info", count=1000, retry_after=30)
    started = time.monotonic()
    await _all_answered(slack_bot, [_app_mention(fake, "C0NAMES1")])
    await _all_answered(slack_bot, [_app_mention(fake, "C0NAMES2")])  # the look-up still waits: not asked again
    assert time.monotonic() - started < 5  # not Retry-After's 30 s
    await _all_answered(slack_bot, [_app_mention(fake, "C0NAMES3", user="U0CAROL")])  # another user: paused too
    assert len(fake.calls_to("users.info")) == 1
    assert slack_bot.adapter.bot.users.get(BOB) is None  # nothing wrong cached: asked again once Slack allows


@pytest.mark.parametrize("mode", ["update", "native"])
async def test_an_answer_the_edit_budget_cannot_stream_is_posted_once_whole(slack_bot: SlackBot, mode: str) -> None:
    slack_bot.engine.settings.slack.stream_mode = mode
    slack_bot.fake_ollama.reply = " ".join(f"word{i}" for i in range(80)) + " END"
    slack_bot.fake_ollama.token_delay = 0.01
    budget = slack_bot.adapter.bot.budget
    for _ in range(100):  # a burst: the finals of 100 streaming answers already claim the chat.update budget
        budget.started(TEAM)
    question = await slack_bot.mention("a long question")
    answer = await slack_bot.answer("C0GENERAL", question, wait=20)
    assert answer.shown.rstrip().endswith("END") and answer.footer
    fake = slack_bot.fake
    streamed = [m for m in ("chat.update", "chat.startStream", "chat.appendStream") if fake.calls_to(m)]
    assert streamed == []  # no edit, no stream: one chat.postMessage carried the complete answer
    assert len([c for c in fake.calls_to("chat.postMessage") if c.args.get("thread_ts") == question]) == 1


async def test_name_look_ups_stay_within_the_workspace_budget_without_meeting_a_429(slack_bot: SlackBot) -> None:
    """Tier 4 is spent by earlier look-ups: a new user's turn goes on with the id and Slack is not asked (no 429 to
    meet); once the budget refills, a later turn learns the name."""
    fake = slack_bot.fake
    budget = slack_bot.adapter.bot.budget
    bucket = budget._bucket(TEAM, "users.info")
    bucket.tokens, bucket._at = 0.0, time.monotonic()  # as if a burst of new users had just spent the minute's calls
    bucket.rate = 0.0  # and nothing refills during the first turn
    await _all_answered(slack_bot, [_app_mention(fake, "C0BUDGET")])
    assert _asked_about(fake, "users.info", "user", BOB) == 0
    assert slack_bot.adapter.bot.users.get(BOB) is None  # nothing cached: asked again later
    bucket.tokens = 1.0
    await _all_answered(slack_bot, [_app_mention(fake, "C0BUDGET")])
    assert slack_bot.adapter.bot.users.get(BOB).name == "bob"
    assert _asked_about(fake, "users.info", "user", BOB) == 1
