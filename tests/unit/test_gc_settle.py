"""bot/gc_settle.py: after start-up the surviving objects are frozen out of full collections."""

from __future__ import annotations

import gc
import weakref

from bot.gc_settle import freeze_when_started


async def test_start_up_objects_are_frozen_and_garbage_is_not() -> None:
    gc.unfreeze()
    try:

        class Cycle:  # a reference cycle: only the collector frees it
            def __init__(self) -> None:
                self.me = self

        garbage = weakref.ref(Cycle())
        assert garbage() is not None  # unreachable, not yet freed
        await freeze_when_started(delay=0)
        assert gc.get_freeze_count() > 1000  # this test process's modules, at least
        assert garbage() is None  # collected first, not frozen for good
        tracked = len(gc.get_objects())
        assert tracked < gc.get_freeze_count()  # a full collection now walks only what came after
    finally:
        gc.unfreeze()
