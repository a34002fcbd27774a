"""After a crash (kill -9, power loss): finish off what the last process left, on each platform.

- A turn that was streaming is marked interrupted at start-up (`Engine.recover`). Its adapter edits the
  last platform message that showed it (linked to the turn when it was posted) so it ends with
  `INTERRUPTED_NOTE`, or posts the note when nothing was shown yet; 🔁 on that message answers again.
- A turn that was stored but never started (it waited behind another turn) is answered now.
The adapter supplies the platform side through a two-method `RecoveryPort`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from bot.session import SessionKey
from bot.turns import ReplySink

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("hybridbot.recovery")

INTERRUPTED_NOTE = "⚠️ interrupted by a restart — react 🔁 to answer again"


class RecoveryPort(Protocol):
    platform: str

    async def note_interrupted(self, turn_id: int, key: SessionKey, links: list[tuple[str, str]]) -> None:
        """Make the turn's last message (links: (channel, message id), oldest first) end with the note."""

    def sink_for(self, key: SessionKey, user_id: str) -> ReplySink:
        """Where a resumed turn's answer goes."""


async def recover_platform(engine: Engine, port: RecoveryPort) -> list[asyncio.Task[object]]:
    """Note the interrupted turns, then start answering the pending ones (returns their tasks)."""
    for turn_id, key in engine.take_interrupted(port.platform):
        links = [(c, m) for platform, c, m in engine.store.links_of_turn(turn_id) if platform == port.platform]
        try:
            await port.note_interrupted(turn_id, key, links)
        except Exception as error:  # one message we can't edit must not stop the rest
            log.warning("could not mark turn %s as interrupted on %s: %s", turn_id, port.platform, type(error).__name__)
    tasks: list[asyncio.Task[object]] = []
    for record, key in engine.pending_turns(port.platform):
        sink = port.sink_for(key, record.user_id)
        tasks.append(asyncio.create_task(engine.resume(record.id, key, sink), name=f"resume-{record.id}"))
    if tasks:
        log.info("%s: answering %d turn(s) stored before the restart", port.platform, len(tasks))
    return tasks
