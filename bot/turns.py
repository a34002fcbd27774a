"""What flows between adapters and the engine: a turn in, reply events and a result out."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Protocol

from bot.attachments import Attachment
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
    tz: str | None = None  # the person's IANA time zone when the platform gives one (Slack users.info `tz`)
    attachments: tuple[Attachment, ...] = ()  # files and images with the message (bot/attachment_ingest.py)


@dataclass
class RouteInfo:
    provider: str
    model: str
    locality: str
    agent: str
    reasons: list[str]
    tools: int = 0  # tool calls made during the turn
    sources: int = 0  # passages' documents the model saw (bot/knowledge)

    @property
    def footer(self) -> str:
        text = footer(
            locality=self.locality,
            provider=self.provider,
            model=self.model,
            agent=self.agent,
            reasons=self.reasons,
            tools=self.tools,
        )
        return f"{text} · 📚 {self.sources} source{'s' if self.sources != 1 else ''}" if self.sources else text


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


class NotedSink:
    """A sink whose answer also carries notes from before the model call (e.g. a file cut to the size budget).
    Everything else, optional hooks included (`on_turn`, approvals), goes to the wrapped sink."""

    def __init__(self, sink: ReplySink, notes: list[str]) -> None:
        self._sink = sink
        self._notes = notes

    def __getattr__(self, name: str) -> object:
        return getattr(self._sink, name)

    async def on_status(self, text: str) -> None:
        await self._sink.on_status(text)

    async def on_text(self, delta: str) -> None:
        await self._sink.on_text(delta)

    async def on_done(self, result: TurnResult) -> None:
        result.notices[:0] = [n for n in self._notes if n not in result.notices]
        await self._sink.on_done(result)


def with_notes(sink: ReplySink, notes: list[str]) -> ReplySink:
    return NotedSink(sink, notes) if notes else sink


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
