"""Slack's progress lines for a long command: within response_url's 5 uses, the final answer always has one left."""

from __future__ import annotations

import asyncio

from adapters.slack.history import SlackProgress


async def test_at_most_three_lines_spaced_apart_and_a_failing_send_is_not_fatal() -> None:
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)
        if text == "boom":
            raise RuntimeError("response_url expired")

    progress = SlackProgress(send, every=0.05)
    for line in ("one", "two"):  # the second comes too soon: dropped
        await progress(line)
    for line in ("boom", "three", "four", "five"):
        await asyncio.sleep(0.06)
        await progress(line)
    assert sent == ["one", "boom", "three"]
    single = SlackProgress(send, most=1, every=0)
    await single("a")
    await single("b")
    assert sent[-1] == "a"
