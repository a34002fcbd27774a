"""Garbage collection in a `hybridbot run`-sized process: the full-collection pause before and after
`gc.freeze()` (bot/gc_settle.py), and GC time per engine turn at two young-generation thresholds.

Loads what `hybridbot run` loads (the Slack and Discord adapters, the OpenAI client), runs engine turns
with an instant model (benchmarks/_instant.py), then:
- times a full collection (median of 3) before and after freezing the start-up objects;
- alternates rounds at Python's default threshold (700) and at 10,000, timing every collection with
  `gc.callbacks` (time per turn, collections, longest pause).
Run: .venv/bin/python benchmarks/gc_pause.py [--quick]
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time

import openai  # noqa: F401
from _instant import make_engine, quick_flag

import adapters.discord.client  # noqa: F401  (what `hybridbot run` holds in memory)
import adapters.slack.app  # noqa: F401
from bot.engine import NullSink, Turn
from bot.gc_settle import freeze_start_up
from bot.session import SessionKey

TEXT = "Could you summarise what we decided about the release date yesterday?"
THRESHOLDS = (700, 10_000)


class Pauses:
    def __init__(self) -> None:
        self.started, self.pauses = 0.0, []
        gc.callbacks.append(self.seen)

    def seen(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self.started) * 1000)


def full_collection_ms() -> float:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


async def main(quick: bool) -> None:
    engine, sink, pauses = make_engine(), NullSink(), Pauses()
    turns, rounds = (200, 1) if quick else (1500, 3)
    n = 0

    async def run(count: int) -> None:
        nonlocal n
        for _ in range(count):
            n += 1
            await engine.handle(Turn(SessionKey("bench", "w", f"c{n % 50}"), "U", "u", TEXT), sink)

    await run(100)  # warm-up
    tracked = len(gc.get_objects())
    before = full_collection_ms()
    frozen = freeze_start_up()
    after = full_collection_ms()
    print(f"full collection: {before:.1f} ms with {tracked} objects tracked; {after:.2f} ms after gc.freeze()")
    print(f"  ({frozen} objects frozen)")
    results: dict[int, list[tuple[float, int, float]]] = {t: [] for t in THRESHOLDS}
    for _ in range(rounds):
        for threshold in THRESHOLDS:
            gc.set_threshold(threshold, 10, 10)
            gc.collect()
            pauses.pauses = []
            await run(turns)
            ps = pauses.pauses
            results[threshold].append((sum(ps) / turns, len(ps), max(ps, default=0.0)))
    gc.set_threshold(700, 10, 10)
    for threshold, rows in results.items():
        cells = "; ".join(
            f"{ms * 1000:.1f} µs/turn, {count} collections, longest {worst:.2f} ms" for ms, count, worst in rows
        )
        print(f"threshold {threshold:>6}: {cells}   ({turns} turns a round)")
    await engine.aclose()


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
