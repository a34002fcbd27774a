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

from bot.messages import INTERRUPTED_BY_RESTART
from bot.session import SessionKey
from bot.store import Store, TurnRecord
from bot.turns import ReplySink

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("hybridbot.recovery")

INTERRUPTED_NOTE = "⚠️ interrupted by a restart — react 🔁 to answer again"


class Leftovers:
    """What the last process left unfinished, found once at start-up (`collect`) and handed out once
    per platform: turns it was streaming (now marked interrupted) and turns it stored but never started."""

    def __init__(self) -> None:
        self.interrupted: list[tuple[int, SessionKey]] = []
        self._orphans: set[int] = set()  # pending when this process started: nobody is answering them

    def collect(self, store: Store) -> list[tuple[int, SessionKey]]:
        """Mark the turns that were streaming as interrupted (returned, and kept for their adapter to note
        on the platform); turns that never started stay pending (`take_pending`)."""
        recovered = []
        for turn, key in store.unfinished_turns():
            if turn.status == "pending":
                self._orphans.add(turn.id)  # stored, never started: its platform's adapter answers it
                continue
            store.update_turn(turn.id, status="interrupted", error=INTERRUPTED_BY_RESTART)
            recovered.append((turn.id, key))
        if recovered:
            log.info("marked %d unfinished turns as interrupted", len(recovered))
        self.interrupted.extend(recovered)
        return recovered

    def take_interrupted(self, platform: str) -> list[tuple[int, SessionKey]]:
        mine = [(t, k) for t, k in self.interrupted if k.platform == platform]
        self.interrupted = [(t, k) for t, k in self.interrupted if k.platform != platform]
        return mine

    def take_pending(self, store: Store, platform: str) -> list[tuple[TurnRecord, SessionKey]]:
        """Still-pending turns of a platform that the last process stored (not those queued since)."""
        found = [
            (t, k)
            for t, k in store.unfinished_turns()
            if t.id in self._orphans and t.status == "pending" and k.platform == platform
        ]
        self._orphans -= {t.id for t, _ in found}
        return found


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
