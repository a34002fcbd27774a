"""The workspace budget for streaming calls (adapters/slack/budget.py), on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack.budget import PER_MINUTE, STREAM_HORIZON, WorkspaceCallBudget


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def _budget() -> tuple[WorkspaceCallBudget, Clock]:
    clock = Clock()
    return WorkspaceCallBudget(clock=clock, sleep=clock.sleep), clock


def test_the_interval_between_edits_grows_with_the_answers_streaming_in_the_workspace() -> None:
    budget, _ = _budget()
    one = budget.interval("T1", "chat.update")
    for _ in range(10):
        budget.started("T1")
    assert budget.interval("T1", "chat.update") == pytest.approx(10 * one) == 10 * 60 / PER_MINUTE["chat.update"]
    assert budget.interval("T2", "chat.update") == one  # another workspace has its own budget
    for _ in range(10):
        budget.finished("T1")
    assert budget.interval("T1", "chat.update") == one


def test_in_between_edits_stop_short_of_the_reserve_and_final_edits_still_get_through() -> None:
    budget, clock = _budget()
    taken = 0
    while budget.try_take("T1", "chat.update"):
        taken += 1
    assert taken == 9 - 2  # a burst of 20% of 45 a minute, less the reserve for final edits

    async def finals() -> float:
        for _ in range(4):  # two from the reserve, then waits for the bucket to refill
            await budget.take("T1", "chat.update")
        return clock.now

    waited = asyncio.run(finals())
    assert 0 < waited <= 2 * 60 / PER_MINUTE["chat.update"] + 0.01
    assert not budget.try_take("T1", "chat.update")


def test_calls_per_minute_never_exceed_the_budget() -> None:
    budget, clock = _budget()
    calls = 0
    while clock.now < 600:  # ten minutes of an edit attempted every 50 ms
        calls += budget.try_take("T1", "chat.update")
        clock.now += 0.05
    assert calls <= 9 + 45 * 10


def test_answers_stream_only_while_their_final_edits_fit_the_bucket_and_its_near_refill() -> None:
    budget, clock = _budget()
    fits = 9 + 45 * STREAM_HORIZON / 60  # a full bucket, and what refills within the horizon
    streaming = 0
    while budget.may_stream("T1"):
        budget.started("T1")
        streaming += 1
    assert streaming == int(fits)
    assert budget.may_stream("T2")  # another workspace has its own budget
    while budget.try_take("T1", "chat.update"):  # in-between edits spend the bucket down to its reserve
        pass
    budget.finished("T1")
    assert not budget.may_stream("T1")  # the reserve and the horizon's refill serve those still streaming
    clock.now += 60  # a minute later the bucket is full again
    assert budget.may_stream("T1")
