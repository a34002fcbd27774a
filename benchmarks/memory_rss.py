"""Peak RSS after 10k conversations, one answered turn each (goal: ≤ 150 MB).

Also prints the RSS right after start-up in the same process as the baseline.
"""

from __future__ import annotations

import asyncio
import resource

from _instant import make_engine, quick_flag

from bot.engine import NullSink, Turn
from bot.session import SessionKey

CONVERSATIONS = 10_000


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def main(quick: bool) -> None:
    global CONVERSATIONS
    CONVERSATIONS = 300 if quick else CONVERSATIONS
    engine = make_engine()
    await engine.handle(Turn(SessionKey("bench", "w", "warm"), "U", "u", "hi"), NullSink())
    start = rss_mb()
    sink = NullSink()
    for i in range(CONVERSATIONS):
        key = SessionKey("bench", f"w{i % 20}", f"c{i}", f"{i}.0001")
        await engine.handle(Turn(key, f"U{i % 300}", "user", f"Question number {i}: what's next?"), sink)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS after start-up: {start:.1f} MB")
    print(f"RSS after {CONVERSATIONS:,} conversations: {rss_mb():.1f} MB (peak {peak:.1f} MB; goal ≤ 150 MB)")
    await engine.aclose()


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
