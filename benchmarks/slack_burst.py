"""429s met in a 50-thread burst with the Slack stand-in's rate limit on (goal: 0).

The stand-in answers 429 (with Retry-After) past one new message per second per channel, Slack's
documented chat.postMessage limit. 50 mentions arrive at once, 5 in each of 10 channels. Run with the
production pacing and, for comparison, with pacing off (`slack.channel_rate = 0`).
"""

from __future__ import annotations

import asyncio
import time

from _instant import quick_flag
from slack_common import FakeOllama, FakeSlack, finished, mention, slack_settings, start_adapter, wait_for

THREADS, CHANNELS = 50, 10


async def burst(channel_rate: float, threads: int) -> tuple[int, float]:
    async with FakeSlack() as fake, FakeOllama() as ollama:
        fake.post_rate = 1
        ollama.token_delay = 0.01
        adapter = await start_adapter(slack_settings(fake, ollama, channel_rate=channel_rate))
        url = f"http://127.0.0.1:{adapter.port}/slack/events"
        started = time.perf_counter()
        try:
            await asyncio.gather(*(mention(fake, url, f"C{i % CHANNELS:02d}", f"q{i}") for i in range(threads)))
            await wait_for(lambda: finished(fake) >= threads, within=300)
        finally:
            await adapter.stop()
            await adapter.bot.engine.aclose()
        return fake.rate_limited, time.perf_counter() - started


async def main(quick: bool) -> None:
    threads = 2 * CHANNELS if quick else THREADS
    for rate, label in ((1.0, "paced (production)"), (0.0, "unpaced")):
        limited, seconds = await burst(rate, threads)
        print(f"slack {threads}-thread burst over {CHANNELS} channels, {label}: {limited} × 429, "
              f"all answered in {seconds:.1f} s (goal: 0 × 429)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
