"""Engine overhead per turn with an instant in-process provider (goal: p99 ≤ 5 ms, also with the other core busy).

Prints p50/p99 per turn and turns/s for the full engine path (validation, privacy scan, store
writes, routing, context building, streaming to a sink), beside the bare provider stream in the
same run as the baseline; twice: as the machine is, and with a process spinning on another core.
Run: .venv/bin/python benchmarks/engine_overhead.py [--quick]
"""

from __future__ import annotations

import asyncio
import time

from _instant import cpu_hog, make_engine, percentile, quick_flag

from bot.engine import NullSink, Turn
from bot.session import SessionKey
from tests.fakes.instant import InstantProvider

TURNS = 2000
SESSIONS = 50
TEXT = "Could you summarise what we decided about the release date yesterday?"


async def engine_turns(turns: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (this thread) milliseconds per turn: a wall far above the CPU is time the OS gave others."""
    engine = make_engine()
    sink = NullSink()
    for i in range(100):  # warm-up
        await engine.handle(Turn(SessionKey("bench", "w", f"warm{i}"), "U", "u", TEXT), sink)
    wall, cpu = [], []
    for i in range(turns):
        key = SessionKey("bench", "w", f"c{i % SESSIONS}")
        t0, c0 = time.perf_counter(), time.thread_time()
        result = await engine.handle(Turn(key, "U", "u", TEXT), sink)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert result.status == "done", result
    await engine.aclose()
    return wall, cpu


async def bare_turns(turns: int) -> list[float]:
    provider, times = InstantProvider(), []
    for _ in range(turns):
        t0 = time.perf_counter()
        async for _event in provider.stream_chat("echo", []):
            pass
        times.append((time.perf_counter() - t0) * 1000)
    return times


async def main(quick: bool) -> None:
    turns = 200 if quick else TURNS
    for label, hog in (("as the machine is", False), ("other core busy (CPU hog)", True)):
        with cpu_hog(hog):
            (ms, cpu), bare = await engine_turns(turns), await bare_turns(turns)
        print(f"-- {label}")
        print(
            f"engine turn:   p50 {percentile(ms, 0.5):.2f} ms   p99 {percentile(ms, 0.99):.2f} ms   "
            f"{turns / sum(ms) * 1000:.0f} turns/s  ({turns} turns, {SESSIONS} sessions)"
        )
        print(f"engine CPU:    p50 {percentile(cpu, 0.5):.2f} ms   p99 {percentile(cpu, 0.99):.2f} ms (this thread)")
        print(f"bare provider: p50 {percentile(bare, 0.5):.3f} ms   p99 {percentile(bare, 0.99):.3f} ms")
        print(f"overhead p99 = {percentile(ms, 0.99) - percentile(bare, 0.99):.2f} ms (goal ≤ 5 ms)")


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
