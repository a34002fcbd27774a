"""`/tasks` and the user's time zone on Slack, through slack-bolt/slack-sdk against the Slack stand-in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.engine import Turn
from bot.store_tasks import Owner, TaskStore
from bot.tasks_logic import Due
from tests.fakes.slack_server import TEAM, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


def noon_utc_in_30_days() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0) + dt.timedelta(days=30)


async def test_tasks_lists_the_callers_tasks_in_their_slack_zone(slack_bot: SlackBot) -> None:
    slack_bot.fake.add_user(ALICE, "alice", tz="America/Los_Angeles")  # users.info gives tz
    due = noon_utc_in_30_days()
    tasks = TaskStore(slack_bot.engine.store)
    tasks.add(Owner("slack", TEAM, ALICE), "Send the invoices", due=Due(due, all_day=False), local_only=False)
    tasks.add(Owner("slack", TEAM, BOB), "Bob's own task", local_only=False)

    answer = await slack_bot.command("tasks")

    assert answer["response_type"] == "ephemeral"
    local = due.astimezone(ZoneInfo("America/Los_Angeles"))
    assert "times in America/Los_Angeles" in answer["text"]
    line = next(line for line in answer["text"].splitlines() if line.startswith("#1 Send the invoices — due"))
    assert f"{local:%a} {local.day} {local:%b}" in line and line.endswith(f"{local:%H:%M}")  # 04:00 or 05:00
    assert "Bob" not in answer["text"]
    done = await slack_bot.command("tasks", "complete 1")
    assert "Completed #1 ✓ Send the invoices" in done["text"]
    assert "You have no open tasks." in (await slack_bot.command("tasks"))["text"]


async def test_a_turn_carries_the_users_slack_zone(slack_bot: SlackBot) -> None:
    slack_bot.fake.add_user(ALICE, "alice", tz="Europe/Paris")
    seen: list[Turn] = []
    handle = slack_bot.engine.handle

    async def recording(turn: Turn, sink):  # records what the adapter hands the engine, then runs it
        seen.append(turn)
        return await handle(turn, sink)

    slack_bot.engine.handle = recording
    ts = await slack_bot.mention("what time is it?")
    await slack_bot.answer("C0GENERAL", ts)
    assert [t.tz for t in seen] == ["Europe/Paris"]
    slack_bot.fake.add_user(BOB, "bob")  # a user without a tz (a bot, or an API without it): no zone
    await slack_bot.mention("hello", user=BOB)
    await wait_until(lambda: len(seen) == 2, what="bob's turn")
    assert seen[1].tz is None


async def test_tasks_in_a_thread_through_a_mention(slack_bot: SlackBot) -> None:
    slack_bot.fake.add_user(ALICE, "alice", tz="Asia/Tokyo")
    TaskStore(slack_bot.engine.store).add(
        Owner("slack", TEAM, ALICE), "Review the draft", due=Due(noon_utc_in_30_days(), all_day=False), local_only=False
    )
    ts = await slack_bot.mention("hi")
    await slack_bot.answer("C0GENERAL", ts)
    await slack_bot.mention("/tasks", thread_ts=ts)
    shown = await wait_until(
        lambda: [e for e in slack_bot.fake.ephemeral if "Review the draft" in e.get("text", "")],
        what="an ephemeral task list",
    )
    assert "times in Asia/Tokyo" in shown[0]["text"] and "21:00" in shown[0]["text"]
