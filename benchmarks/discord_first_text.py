"""Discord: time from the model's first token to the first visible text, 1 and 20 concurrent channels.

Goal: ≤ 150 ms at 1 channel, ≤ 500 ms at 20. "First token" is when the engine hands the adapter its first
text; "visible" is when the Discord stand-in receives the message (real discord.py, real HTTP, thread mode).
"""

from __future__ import annotations

import asyncio
import logging

from _instant import quick_flag
from discord_common import FakeOllama, FirstText, answered, connected, ollama_engine, percentile, wait_for

from adapters.discord.config import DiscordConfig

ROUNDS = 10


async def measure(concurrent: int, rounds: int) -> list[float]:
    async with FakeOllama() as ollama:
        ollama.reply = " ".join(f"token{i}" for i in range(40))
        ollama.token_delay = 0.01
        cfg = DiscordConfig(guild_ready_timeout=0.05, sync_commands_on_start=False)
        async with connected(ollama_engine(ollama), cfg, concurrent) as (fake, bot, channels):
            first = FirstText()
            bot.on_sink = first
            samples: list[float] = []
            for _ in range(rounds):
                before = len(fake.threads())
                users = [fake.user(f"user{i}") for i in range(concurrent)]
                await asyncio.gather(
                    *(fake.say(u, "hello", channel=c, mention_bot=True) for u, c in zip(users, channels, strict=True))
                )
                await wait_for(lambda b=before: len(fake.threads()) == b + concurrent, 30)
                threads = fake.threads()[before:]
                await wait_for(lambda t=threads: all(answered(fake, x["id"]) for x in t), 60)
                for thread in threads:  # the first send or edit that shows answer text (not a queue status)
                    calls = [c for c in fake.calls if c.path.startswith(f"/channels/{thread['id']}/messages")]
                    shown = next(c for c in calls if (c.json or {}).get("content", "").startswith("token0"))
                    samples.append((shown.at - first.at[int(thread["id"])]) * 1000)
            return samples


async def main(quick: bool) -> None:
    logging.disable(logging.WARNING)
    for concurrent, goal in ((1, 150), (5 if quick else 20, 500)):
        samples = await measure(concurrent, 1 if quick else ROUNDS)
        p50, p95, worst = percentile(samples, 0.5), percentile(samples, 0.95), max(samples)
        verdict = "meets" if p95 <= goal else "MISSES"
        print(
            f"first token → first visible text, {concurrent:>2} channel(s), {len(samples)} answers: "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms ({verdict} the {goal} ms goal)"
        )


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
