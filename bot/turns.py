"""What flows between adapters and the engine: a turn in, reply events and a result out."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Protocol

from bot.keyed_locks import KeyedLocks
from bot.messages import footer
from bot.session import SessionKey


@dataclass(frozen=True)
class Turn:
    key: SessionKey
    user_id: str
    user_name: str
    text: str
    private: bool = False  # a DM or private mode: local models only, always
    event_id: str | None = None  # platform event id, for answering redeliveries once


@dataclass
class RouteInfo:
    provider: str
    model: str
    locality: str
    agent: str
    reasons: list[str]

    @property
    def footer(self) -> str:
        return footer(
            locality=self.locality, provider=self.provider, model=self.model, agent=self.agent, reasons=self.reasons
        )


@dataclass
class TurnResult:
    status: str  # done | error | cancelled | refused | rejected | duplicate
    text: str
    turn_id: int | None = None
    route: RouteInfo | None = None
    notices: list[str] = field(default_factory=list)
    error: str = ""  # user-facing failure message, when status is error/refused
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ReplySink(Protocol):
    """Where an answer goes: adapters turn these calls into platform messages."""

    async def on_status(self, text: str) -> None: ...

    async def on_text(self, delta: str) -> None: ...

    async def on_done(self, result: TurnResult) -> None: ...


async def tell_turn(sink: ReplySink, turn_id: int) -> None:
    """Tell a sink its turn id before any text: platform sinks define `on_turn` to link each message they
    post to the turn, so a restart after a crash can find and finish it (bot/recovery.py). Optional."""
    hook = getattr(sink, "on_turn", None)
    if hook is not None:
        await hook(turn_id)


class NullSink:
    async def on_status(self, text: str) -> None:
        pass

    async def on_text(self, delta: str) -> None:
        pass

    async def on_done(self, result: TurnResult) -> None:
        pass


class SessionQueue:
    """FIFO lock per session that forgets idle sessions: one turn at a time per conversation, in arrival order."""

    def __init__(self) -> None:
        self._locks: KeyedLocks[SessionKey] = KeyedLocks()

    def waiting(self, key: SessionKey) -> int:
        return self._locks.waiting(key)

    async def __call__(self, key: SessionKey, work: Awaitable[TurnResult]) -> TurnResult:
        async with self._locks.hold(key):
            return await work
