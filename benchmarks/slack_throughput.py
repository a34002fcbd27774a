"""Events per second through HTTP mode: hybridbot with an instant model vs a bare slack-bolt app.

Both receive the same signed app_mention events over HTTP from the Slack stand-in. The bare app only
posts a reply; hybridbot runs the whole turn (store, route, stream, footer). Goal: ≥ 0.7 of the bare rate.
Each event goes to its own channel so per-channel pacing does not enter the figure.
"""

from __future__ import annotations

import asyncio
import time

from _instant import make_engine
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_common import FakeSlack, finished, mention, slack_settings, start_adapter, wait_for
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_server import BOT_TOKEN, BOT_USER, SIGNING_SECRET

EVENTS, CONCURRENCY, ROUNDS = 400, 20, 3


async def _drive(fake: FakeSlack, url: str, done: object) -> float:
    started = time.perf_counter()
    queue = list(range(EVENTS))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            await mention(fake, url, f"C{i:05d}", f"question {i}")

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    await wait_for(done)
    return EVENTS / (time.perf_counter() - started)


async def bare_rate() -> float:
    async with FakeSlack() as fake:
        app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url), signing_secret=SIGNING_SECRET)

        @app.event("app_mention")
        async def reply(event: dict, client: AsyncWebClient) -> None:
            await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="ok")

        async def handle(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

        web_app = web.Application()
        web_app.router.add_post("/slack/events", handle)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        posted = lambda: sum(1 for m in fake.messages.values() if m.user == BOT_USER) >= EVENTS  # noqa: E731
        try:
            return await _drive(fake, url, posted)
        finally:
            await runner.cleanup()


async def hybrid_rate() -> float:
    async with FakeSlack() as fake:
        adapter = await start_adapter(slack_settings(fake), make_engine())
        url = f"http://127.0.0.1:{adapter.port}/slack/events"
        try:
            return await _drive(fake, url, lambda: finished(fake) >= EVENTS)
        finally:
            await adapter.stop()


async def main() -> None:
    await bare_rate()  # warm-up
    bare, hybrid = [], []
    for _ in range(ROUNDS):  # interleaved, best of each: the machine is shared
        bare.append(await bare_rate())
        hybrid.append(await hybrid_rate())
    print(f"slack HTTP events/s (best of {ROUNDS}): bare slack-bolt {max(bare):.0f}, hybridbot {max(hybrid):.0f} "
          f"→ ratio {max(hybrid) / max(bare):.2f} (goal ≥ 0.70) [{EVENTS} events, {CONCURRENCY} senders]")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
