"""Approvals through Slack (HTTP mode, the real slack-bolt against the stand-in): how fast a click is acked,
decides the waiting tool call, and shows its outcome; and the engine's own cost per approval (three small
SQLite writes: asked, shown, decided).

For each of N conversations (one channel each, asked concurrently) the adapter's own sink posts a prompt;
a signed `block_actions` click by the asker follows. Figures: the click's HTTP round trip (Slack wants
the ack within 3 s), click → `ask` returns, click → the prompt edited to its outcome (an edit from the
workspace's shared chat.update budget: a burst at once, then Slack's Tier 3 pace); then `Approvals.ask`
with a sink that decides at once, on a file database (p50/p99 ms per approval).

    .venv/bin/python benchmarks/approval_clicks.py [--quick] [--n 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import urllib.parse
from pathlib import Path

from slack_common import FakeSlack, percentile, slack_settings, start_adapter, wait_for

from adapters.slack.budget import BURST_SHARE, PER_MINUTE
from bot.session import SessionKey
from bot.store import Store
from bot.tools.approvals import ApprovalRequest, Approvals, new_request
from tests.fakes.slack_server import TEAM, Message, button_click

ALICE = "U0ALICE"


def ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p99 {percentile(values, 0.99) * 1000:.1f} ms"


async def clicks(n: int) -> tuple[list[float], list[float], list[float]]:
    async with FakeSlack() as fake:
        adapter = await start_adapter(slack_settings(fake))
        url = f"http://127.0.0.1:{adapter.port}/slack/events"
        engine = adapter.bot.engine
        acks, decided, shown = [], [], []
        try:
            for i in range(n):
                fake.add_user(ALICE, "alice")
                channel = f"C{i:03d}"
                key = SessionKey("slack", TEAM, channel)
                conv = engine.store.conversation(key)
                turn = engine.store.create_turn(conv.id, None, user_id=ALICE, workspace=TEAM)
                request = new_request(turn_id=turn, key=key, asker=ALICE, tool="tasks.delete", summary="task 3",
                                      timeout=60)  # fmt: skip
                sink = adapter.bot.sink(key, channel, None, ALICE)
                asking = asyncio.create_task(engine.approvals.ask(request, sink))
                await wait_for(lambda c=channel: prompt(fake, c) is not None)
                message = prompt(fake, channel)
                assert message is not None
                body = urllib.parse.urlencode(
                    {"payload": json.dumps(button_click(fake, message, "hb_approve", user=ALICE))}
                )
                started = time.perf_counter()
                status, _ = await fake.post_http(url, body, form=True)
                acks.append(time.perf_counter() - started)
                assert status == 200 and (await asking).approved
                decided.append(time.perf_counter() - started)
                await wait_for(lambda m=message: "Approved by" in m.shown)
                shown.append(time.perf_counter() - started)
        finally:
            await adapter.stop()
            await engine.aclose()
    return acks, decided, shown


def prompt(fake: FakeSlack, channel: str) -> Message | None:
    return next((m for m in fake.thread(channel, None) if "Approval needed" in m.text), None)


class Decides:
    """A sink that approves as soon as it is shown (the engine's cost alone)."""

    def __init__(self, approvals: Approvals) -> None:
        self.approvals = approvals

    async def on_approval(self, request: ApprovalRequest) -> str:
        asyncio.get_running_loop().call_soon(self.approvals.decide, request.id, request.asker, True)
        return f"C1:{request.id}"


async def engine_cost(n: int) -> list[float]:
    store = Store(Path(tempfile.mkdtemp()) / "bench.db")
    approvals = Approvals(60, store=store)
    key = SessionKey("slack", TEAM, "C1")
    conv = store.conversation(key)
    turn = store.create_turn(conv.id, None, user_id=ALICE, workspace=TEAM)
    sink, spent = Decides(approvals), []
    for _ in range(n):
        request = new_request(turn_id=turn, key=key, asker=ALICE, tool="tasks.delete", summary="task 3", timeout=60)
        started = time.perf_counter()
        assert (await approvals.ask(request, sink)).approved
        spent.append(time.perf_counter() - started)
    store.close()
    return spent


async def main(n: int) -> None:
    acks, decided, shown = await clicks(n)
    print(f"{n} approvals through Slack (HTTP mode, one at a time):")
    print(f"  click ack (HTTP round trip): {ms(acks)}")
    print(f"  click → tool call decided:   {ms(decided)}")
    burst = int(max(3.0, PER_MINUTE["chat.update"] * BURST_SHARE))  # the workspace's chat.update bucket
    print(f"  click → prompt shows outcome, first {min(n, burst)} (within the chat.update burst): {ms(shown[:burst])}")
    if shown[burst:]:
        paced = f"{PER_MINUTE['chat.update']:g}/min"
        print(
            f"  click → prompt shows outcome, the rest (paced by Slack's Tier 3 budget, {paced}): {ms(shown[burst:])}"
        )
    spent = await engine_cost(n * 4)
    print(f"engine cost per approval ({n * 4}, file database, decided at once): {ms(spent)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="approvals through Slack (4× as many engine-only)")
    parser.add_argument("--quick", action="store_true", help="a few seconds' run (the test suite runs it)")
    args = parser.parse_args()
    asyncio.run(main(5 if args.quick else args.n))
