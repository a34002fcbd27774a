"""Slack HTTP mode at the framework limit: hybridbot against two bare slack-bolt apps in the same run.

All three receive the same signed app_mention events over HTTP from the Slack stand-in, each in its own
channel (so per-channel pacing does not enter), from CONCURRENCY senders at once:
- echo: a bare bolt app that posts "ok" (the framework's own cost);
- stream: a bare bolt app that streams the answer from the OpenAI stand-in with the same `openai`
  client and posts it (what any SDK-based bot pays);
- hybridbot: the whole turn (store, privacy scan, route, stream, throttled posts, footer), its model the
  same OpenAI stand-in, answering at once.
Printed per app: answered/s, acknowledgement p50/p95 (the event POST's response), first visible text
p50/p95 (event sent → first chat.postMessage of its thread at the stand-in) and CPU per answer (this
process: the stand-ins run in it too, the same for all three). Slack's method tiers are off (stand-in and the
bot's budget): 200 answers a second in one workspace measure CPU, not rate limits. Rounds alternate the apps; ratios are
taken round by round. Each round then runs the three apps paced: every sender waits for its mention's first
visible text before sending the next, so CONCURRENCY conversations are in flight and no backlog builds up
(unpaced, acks come back faster than answers, and first text measures the backlog's length). Goals: ≥ 0.7× echo and ≥ 0.9× stream in answered/s, first text p95 ≤ 150 ms,
ack p95 ≤ 100 ms.
Run: .venv/bin/python benchmarks/slack_throughput.py [--quick | --app NAME --events N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from openai import AsyncOpenAI
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_common import FakeSlack, finished, percentile, slack_settings, start_adapter, wait_for
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import BOT_TOKEN, BOT_USER, SIGNING_SECRET, event_callback

EVENTS, CONCURRENCY, ROUNDS = 200, 20, 3
ANSWER = " ".join(f"word{i}" for i in range(20))
GOALS = "goals: ≥ 0.70× echo, ≥ 0.90× stream, first text p95 ≤ 150 ms, ack p95 ≤ 100 ms"


@dataclass
class Figures:
    rate: float  # answered per second
    ack_ms: list[float]
    first_ms: list[float]
    cpu_ms: float  # CPU of this process per answer

    def line(self, label: str) -> str:
        return (
            f"  {label:<9} {self.rate:6.0f} answered/s | ack p50 {statistics.median(self.ack_ms):5.1f} "
            f"p95 {percentile(self.ack_ms, 0.95):5.1f} ms | first text p50 {statistics.median(self.first_ms):6.1f} "
            f"p95 {percentile(self.first_ms, 0.95):6.1f} ms | CPU {self.cpu_ms:.2f} ms/answer"
        )


async def drive(
    fake: FakeSlack, url: str, done: Callable[[], bool], events: int, concurrency: int, *, paced: bool = False
) -> Figures:
    """`concurrency` senders post mentions as fast as they are acknowledged; `paced`: each sender waits for its
    mention's first visible text before the next (`concurrency` conversations in flight, never a backlog)."""
    sent: dict[str, float] = {}
    acks: list[float] = []
    queue = list(range(events))
    calls_before = len(fake.calls)
    shown = watch_first_text(fake) if paced else {}

    async def worker() -> None:
        while queue:
            i = queue.pop()
            ts = fake.new_ts()
            event = {"type": "app_mention", "user": "U0ALICE", "text": f"<@{BOT_USER}> question {i}", "ts": ts,
                     "channel": f"C{i:05d}", "event_ts": ts}  # fmt: skip
            sent[ts] = time.perf_counter()
            if paced:
                shown[ts] = asyncio.Event()
            status, _ = await fake.post_http(url, json.dumps(event_callback(event)))
            acks.append((time.perf_counter() - sent[ts]) * 1000)
            assert status == 200, status
            if paced:
                await asyncio.wait_for(shown[ts].wait(), 30)

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await wait_for(done)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    first: dict[str, float] = {}
    for call in fake.calls[calls_before:]:
        if call.method in ("chat.postMessage", "chat.startStream") and call.args.get("thread_ts") in sent:
            first.setdefault(call.args["thread_ts"], (call.at - sent[call.args["thread_ts"]]) * 1000)
    return Figures(events / took, acks, list(first.values()), cpu * 1000 / events)


def watch_first_text(fake: FakeSlack) -> dict[str, asyncio.Event]:
    """thread ts → an event set when the stand-in receives the thread's first message (or stream)."""
    shown: dict[str, asyncio.Event] = {}
    for method in ("m_chat_postMessage", "m_chat_startStream"):
        original = getattr(fake, method)

        def noting(args: dict, original: Callable[[dict], dict] = original) -> dict:
            if str(args.get("thread_ts")) in shown:
                shown[str(args["thread_ts"])].set()
            return original(args)

        setattr(fake, method, noting)
    return shown


async def serve_bolt(app: AsyncApp) -> tuple[web.AppRunner, str]:
    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


def bare_app(fake: FakeSlack) -> AsyncApp:
    return AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url), signing_secret=SIGNING_SECRET)


async def echo_app(fake: FakeSlack, model: FakeOpenAI, events: int, concurrency: int, paced: bool) -> Figures:
    app = bare_app(fake)

    @app.event("app_mention")
    async def reply(event: dict, client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="ok")

    runner, url = await serve_bolt(app)
    try:
        return await drive(fake, url, lambda: posted(fake) >= events, events, concurrency, paced=paced)
    finally:
        await runner.cleanup()


async def stream_app(fake: FakeSlack, model: FakeOpenAI, events: int, concurrency: int, paced: bool) -> Figures:
    app = bare_app(fake)
    openai = AsyncOpenAI(base_url=model.base_url, api_key="sk-bench")

    @app.event("app_mention")
    async def reply(event: dict, client: AsyncWebClient) -> None:
        stream = await openai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": event["text"]}], stream=True
        )
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
        await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text=text)

    runner, url = await serve_bolt(app)
    try:
        return await drive(fake, url, lambda: posted(fake) >= events, events, concurrency, paced=paced)
    finally:
        await runner.cleanup()
        await openai.close()


async def hybridbot(fake: FakeSlack, model: FakeOpenAI, events: int, concurrency: int, paced: bool) -> Figures:
    fake.member_of = [f"C{i:05d}" for i in range(events)]  # the bot is in the channels it is mentioned in
    adapter = await start_adapter(slack_settings(fake, openai_url=model.base_url))
    adapter.bot.budget.minute = fake.minute  # the stand-in's tiers are off: so is the bot's tier budget
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    try:
        return await drive(fake, url, lambda: finished(fake) >= events, events, concurrency, paced=paced)
    finally:
        await adapter.stop()
        await adapter.bot.engine.aclose()


def posted(fake: FakeSlack) -> int:
    return sum(1 for m in fake.messages.values() if m.user == BOT_USER)


Runner = Callable[[FakeSlack, FakeOpenAI, int, int, bool], Awaitable[Figures]]
APPS: dict[str, Runner] = {"echo": echo_app, "stream": stream_app, "hybridbot": hybridbot}


async def one(run: Runner, events: int, concurrency: int, paced: bool = False) -> Figures:
    async with FakeSlack() as fake, FakeOpenAI() as model:
        model.reply = ANSWER
        # A CPU benchmark: Slack's per-workspace method tiers (chat.stopStream ~20 a minute) would make it one of
        # rate limits. Off in the stand-in, and the bot's budget on a "minute" too short to bind.
        fake.tiers_enabled, fake.minute = False, 1e-3
        return await run(fake, model, events, concurrency, paced)


async def profile(name: str, events: int) -> None:
    """One app alone, for a profiler (py-spy record -- python benchmarks/slack_throughput.py --app NAME)."""
    await one(APPS[name], 20, CONCURRENCY)
    print(APPS[name].__name__, (await one(APPS[name], events, CONCURRENCY)).line(name))


async def main(quick: bool) -> None:
    events, rounds = (40, 1) if quick else (EVENTS, ROUNDS)
    await one(echo_app, 20, CONCURRENCY)  # warm-up: imports, first connections
    ratios: dict[str, list[float]] = {"echo": [], "stream": []}
    print(f"slack HTTP mode, {events} mentions from {CONCURRENCY} senders, {rounds} rounds ({GOALS}):")
    for number in range(1, rounds + 1):
        figures = {name: await one(run, events, CONCURRENCY) for name, run in APPS.items()}
        print(f" round {number}:")
        for name, fig in figures.items():
            print(fig.line(name))
        for base in ratios:
            ratios[base].append(figures["hybridbot"].rate / figures[base].rate)
        print(f"  paced ({CONCURRENCY} conversations in flight: each sender waits for its first text):")
        for name, run in APPS.items():
            print((await one(run, events // 2, CONCURRENCY, paced=True)).line(name))
    for base, values in ratios.items():
        print(
            f"hybridbot / {base} answered/s: {min(values):.2f}–{max(values):.2f} (median {statistics.median(values):.2f})"
        )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round (the test suite runs it)")
    parser.add_argument("--app", choices=list(APPS), help="run only this app (to profile it)")
    parser.add_argument("--events", type=int, default=1000, help="mentions for --app (default 1000)")
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    asyncio.run(profile(args.app, args.events) if args.app else main(args.quick))
