"""Discord: 429s met in a 30-conversation burst with the stand-in's rate limits on (goal: 0), and messages
per second handled end to end with an instant model.

The stand-in emulates Discord's per-route buckets (5 requests per 5 s per channel, with X-RateLimit headers);
discord.py reads them and waits, and the adapter throttles its own edits per channel.
"""

from __future__ import annotations

import asyncio
import logging
import time

from _instant import quick_flag
from discord_common import FakeOllama, answered, connected, instant_engine, ollama_engine, wait_for

from adapters.discord.config import DiscordConfig

BURST = 30
BURST_CHANNELS = 3
THROUGHPUT = 200
THROUGHPUT_CHANNELS = 10


async def burst(size: int) -> None:
    async with FakeOllama() as ollama:
        ollama.reply = " ".join(f"token{i}" for i in range(30))
        ollama.token_delay = 0.02
        cfg = DiscordConfig(guild_ready_timeout=0.05, sync_commands_on_start=False)
        async with connected(ollama_engine(ollama), cfg, BURST_CHANNELS) as (fake, bot, channels):
            fake.rate_limits = True
            users = [fake.user(f"user{i}") for i in range(size)]
            started = time.monotonic()
            for i, user in enumerate(users):
                await fake.say(user, f"question {i}", channel=channels[i % BURST_CHANNELS], mention_bot=True)
            await wait_for(lambda: len(fake.threads()) == size, 60)
            await wait_for(lambda: all(answered(fake, t["id"]) for t in fake.threads()), 120)
            took = time.monotonic() - started
            print(
                f"burst of {size} conversations in {BURST_CHANNELS} channels (5 req / 5 s buckets): "
                f"{len(fake.too_many)} × 429 (goal 0; {fake.global_429s} global), {len(fake.calls)} REST calls, "
                f"all answered in {took:.1f} s"
            )
            routes = sorted({f"{c.method} {fake._bucket_key(c.method, c.path)}" for c in fake.too_many})
            if routes:
                print("  429s on: " + "; ".join(routes))


async def throughput(mode: str, *, limits: bool, mentions: int) -> None:
    cfg = DiscordConfig(
        guild_ready_timeout=0.05,
        sync_commands_on_start=False,
        reply_mode=mode,
        rest_requests_per_second=50.0 if limits else 0.0,
    )
    async with connected(instant_engine(), cfg, THROUGHPUT_CHANNELS) as (fake, bot, channels):
        fake.rate_limits = limits
        users = [fake.user(f"user{i}") for i in range(mentions)]
        started = time.monotonic()
        for i, user in enumerate(users):
            await fake.say(user, f"question {i}", channel=channels[i % THROUGHPUT_CHANNELS], mention_bot=True)
        if mode == "thread":
            await wait_for(lambda: len(fake.threads()) == mentions, 120)
            await wait_for(lambda: all(answered(fake, t["id"]) for t in fake.threads()), 120)
        else:
            done = lambda: sum(  # noqa: E731
                1 for c in channels for m in fake.bot_messages(c["id"]) if "\n-# " in m["content"]
            )
            await wait_for(lambda: done() == mentions, 120)
        took = time.monotonic() - started
        where = "Discord's limits emulated, pacing on" if limits else "no limits, pacing off (adapter cost)"
        print(
            f"instant model, {mode} mode, {where}: {mentions} mentions in {THROUGHPUT_CHANNELS} channels "
            f"answered in {took:.2f} s = {mentions / took:.1f} messages/s, {len(fake.calls) / took:.0f} REST/s, "
            f"{len(fake.too_many)} × 429 ({fake.global_429s} global), {bot.pace.waited} calls paced"
        )


async def main(quick: bool) -> None:
    logging.disable(logging.WARNING)
    await burst(BURST_CHANNELS * 2 if quick else BURST)
    for limits in (False, True):
        await throughput("thread", limits=limits, mentions=20 if quick else THROUGHPUT)
        await throughput("inline", limits=limits, mentions=20 if quick else THROUGHPUT)


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
