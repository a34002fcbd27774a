"""The garbage collector in the long-running bot (`hybridbot run`): start-up objects leave the full collections.

After start-up the process holds ~150k objects that live as long as it does (modules, the adapters'
clients, pydantic models). Every full (generation 2) collection walks all of them: about 125 ms on the
2-core dev machine, in one go, on the event loop, so every answer in flight stalls. `gc.freeze()` moves
them to a permanent generation that collections skip (benchmarks/gc_pause.py measures both). It runs
once the adapters have started, after a collection (garbage from start-up is freed, not frozen).
The young-generation threshold stays Python's: a larger one measured no less GC time per turn, in longer
pauses (README, "Performance").
"""

from __future__ import annotations

import asyncio
import gc
import logging

log = logging.getLogger("hybridbot.gc")

SETTLE_SECONDS = 20.0  # the adapters have connected and imported what they use by then


def freeze_start_up() -> int:
    """Collect, then freeze what survives; returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


async def freeze_when_started(delay: float = SETTLE_SECONDS) -> None:
    await asyncio.sleep(delay)
    log.info("start-up objects frozen out of garbage collection: %d", freeze_start_up())
