"""Engine overhead per turn with an instant in-process provider (goal: p99 ≤ 5 ms).

Prints p50/p99 per turn and turns/s for the full engine path (validation, privacy scan, store
writes, routing, context building, streaming to a sink), beside the bare provider stream in the
same run as the baseline.
"""

from __future__ import annotations

import asyncio
import time

from _instant import InstantProvider, make_engine, percentile, quick_flag

from bot.engine import NullSink, Turn
from bot.session import SessionKey

TURNS = 2000
SESSIONS = 50


async def main(quick: bool) -> None:
    global TURNS
    TURNS = 200 if quick else TURNS
    engine = make_engine()
    sink = NullSink()
    text = "Could you summarise what we decided about the release date yesterday?"
    for i in range(100):  # warm-up
        await engine.handle(Turn(SessionKey("bench", "w", f"warm{i}"), "U", "u", text), sink)
    engine_times = []
    for i in range(TURNS):
        key = SessionKey("bench", "w", f"c{i % SESSIONS}")
        t0 = time.perf_counter()
        result = await engine.handle(Turn(key, "U", "u", text), sink)
        engine_times.append(time.perf_counter() - t0)
        assert result.status == "done", result
    provider = InstantProvider()
    bare_times = []
    for _ in range(TURNS):
        t0 = time.perf_counter()
        async for _event in provider.stream_chat("echo", []):
            pass
        bare_times.append(time.perf_counter() - t0)
    ms = [t * 1000 for t in engine_times]
    print(
        f"engine turn:   p50 {percentile(ms, 0.5):.2f} ms   p99 {percentile(ms, 0.99):.2f} ms   "
        f"{TURNS / sum(engine_times):.0f} turns/s  ({TURNS} turns, {SESSIONS} sessions)"
    )
    bare = [t * 1000 for t in bare_times]
    print(f"bare provider: p50 {percentile(bare, 0.5):.3f} ms   p99 {percentile(bare, 0.99):.3f} ms")
    print(f"overhead p99 = {percentile(ms, 0.99) - percentile(bare, 0.99):.2f} ms (goal ≤ 5 ms)")
    await engine.aclose()


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
