"""Streaming an engine answer into Discord messages.

The first text is sent as soon as the model produces it; later text edits the message in place, at most
once per ``edit_interval`` per channel (Discord allows about 5 edits per 5 s per channel). Text past 2,000
characters continues in new messages. The typing indicator shows until the first text arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import discord

from adapters.discord.approvals import DiscordPrompts
from adapters.discord.pacing import first_text
from adapters.discord.render import discord_markdown, final_text, split_message
from bot.engine import TurnResult
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest

log = logging.getLogger("hybridbot.discord.sink")

TYPING_REFRESH = 8.0  # Discord shows typing for about 10 s per trigger
QUIET_STATUSES = {"thinking…"}  # shown as the typing indicator only


class ChannelThrottle:
    """Spaces out one channel's message edits; each caller reserves the next free slot."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._next: dict[int, float] = {}

    def reserve(self, channel_id: int) -> float:
        """Seconds to wait before this channel's next edit (and book that slot)."""
        now = self._clock()
        slot = max(now, self._next.get(channel_id, now))
        self._next[channel_id] = slot + self.interval
        if len(self._next) > 10_000:  # forget channels whose slots are long past
            self._next = {k: v for k, v in self._next.items() if v > now}
        return slot - now

    def restart(self, channel_id: int) -> None:
        """An edit goes out now (slots booked by cancelled status updates are dropped)."""
        self._next[channel_id] = self._clock() + self.interval

    async def wait(self, channel_id: int) -> None:
        delay = self.reserve(channel_id)
        if delay > 0:
            await asyncio.sleep(delay)


class DiscordSink:
    """A ReplySink writing into one Discord channel or thread."""

    def __init__(
        self,
        channel: discord.abc.Messageable,
        channel_id: int,
        throttle: ChannelThrottle,
        *,
        reference: discord.Message | None = None,
        typing: bool = True,
        status_delay: float = 1.0,
        notes: list[str] | None = None,
        on_sent: Callable[[discord.Message], None] | None = None,
        on_done: Callable[[list[discord.Message], TurnResult], None] | None = None,
        link: Callable[[int, int], None] | None = None,
    ) -> None:
        self.channel = channel
        self.channel_id = channel_id
        self.throttle = throttle
        self.reference = reference
        self.typing = typing
        self.status_delay = status_delay
        self.notes = list(notes or [])
        self.messages: list[discord.Message] = []
        self.first_text_at: float | None = None  # perf_counter when the first text was visible
        self._on_sent = on_sent
        self._link = link  # (message id, turn id) → store, so a restart after a crash finds the message
        self._turn_id: int | None = None
        self._on_done = on_done
        self._text = ""
        self._shown: list[str] = []
        self._lock = asyncio.Lock()
        self._flush: asyncio.Task[None] | None = None
        self._syncing = False
        self._booked: float | None = None  # when the waiting flush task's edit slot comes (monotonic)
        self._waiting = False  # a flush task is sleeping (status delay or edit slot), not sending
        self._text_shown = False
        self._status = ""
        self._typing: asyncio.Task[None] | None = None
        self.prompts: DiscordPrompts | None = None  # approval prompts shown for this turn (approvals.py)

    # --- ReplySink -----------------------------------------------------------

    async def on_turn(self, turn_id: int) -> None:
        self._turn_id = turn_id
        for message in self.messages:
            self._linked(message)

    async def on_approval(self, request: ApprovalRequest) -> str:  # Approve / Deny buttons (approvals.py)
        self.prompts = self.prompts or DiscordPrompts(self.channel)
        return await self.prompts.show(request)

    async def on_approval_closed(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        if self.prompts is not None:
            await self.prompts.close(request, decision)

    async def on_status(self, text: str) -> None:
        """Typing while waiting; a status worth reading (queued, trying another model) is shown until text comes."""
        if self.typing and not self._text and self._typing is None:
            self._typing = asyncio.create_task(self._type())
        if text not in QUIET_STATUSES and not self._text:
            self._status = text
            if self._flush is None or self._flush.done():
                delay = 0.0 if self.messages else self.status_delay  # quick turns never show a status
                self._flush = asyncio.create_task(self._flush_later(wait=bool(self.messages), delay=delay))

    async def on_text(self, delta: str) -> None:
        """Never waits for Discord: a flusher task shows the latest text (at once the first time)."""
        self._text += delta
        self._stop_typing()
        if self._flush is not None and not self._flush.done() and self._waiting and not self._text_shown:
            self._flush.cancel()  # a status update still waiting for its turn: show the first text now instead
            self._flush = None
        if self._flush is None or self._flush.done():
            self._flush = asyncio.create_task(self._flush_later(wait=bool(self.messages)))

    async def on_done(self, result: TurnResult) -> None:
        self._stop_typing()
        flush, booked = self._flush, None
        if flush is not None and not flush.done():
            if self._syncing:  # a send or edit is on the wire: let it land, so no message is duplicated
                await asyncio.shield(flush)
            else:  # still waiting for its slot: the final text takes that slot instead
                booked = self._booked
                flush.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await flush
        if result.status == "duplicate":
            return
        text = final_text(self._answer(result), extra=self._extra(result), footer=self._footer(result))
        if self._on_done is not None:  # reactions on what is shown already find their turn from now on
            self._on_done(self.messages, result)
        if booked is not None:
            await asyncio.sleep(max(0.0, booked - time.monotonic()))
        elif self.messages:
            await self.throttle.wait(self.channel_id)
        try:
            await self._sync(split_message(text))
        except discord.HTTPException as error:  # e.g. someone deleted the message being edited
            log.warning("final update failed (%s); posting the answer again", error.status)
            self.messages, self._shown = [], []
            await self._sync(split_message(text))
        if self._on_done is not None:
            self._on_done(self.messages, result)

    # --- internals -------------------------------------------------------------

    def _answer(self, result: TurnResult) -> str:
        if result.status in ("rejected", "refused") and not self._text:
            return ""
        return self._text or result.text

    def _extra(self, result: TurnResult) -> list[str]:
        lines: list[str] = []
        if result.error:
            lines.append(result.error)
        elif result.status in ("rejected", "refused") and result.text:
            lines.append(discord_markdown(result.text))
        lines += [f"-# ℹ {notice}" for notice in result.notices]
        lines += [f"-# ℹ {note}" for note in self.notes]
        return lines

    @staticmethod
    def _footer(result: TurnResult) -> str | None:
        return result.route.footer if result.route else None

    async def _flush_later(self, *, wait: bool, delay: float = 0.0) -> None:
        self._waiting = True
        try:
            if delay:
                await asyncio.sleep(delay)
            if self._text and not self._text_shown:
                first_text.set(True)  # this task's edit shows the answer's first text: not held back by pacing
                self.throttle.restart(self.channel_id)  # it goes now; the next edit waits a full interval
            elif wait:
                delay = self.throttle.reserve(self.channel_id)
                self._booked = time.monotonic() + delay
                await asyncio.sleep(delay)
        finally:
            self._waiting = False
            self._booked = None
        self._syncing = True
        try:
            await self._sync(self._streaming_parts())
        except discord.HTTPException as error:  # the final sync will try again
            log.warning("streaming update failed (%s); continuing", error.status)
        finally:
            self._syncing = False

    def _streaming_parts(self) -> list[str]:
        if self._text:
            self._text_shown = True
            return split_message(self._text)
        return [f"-# {self._status}"] if self._status else []

    async def _sync(self, parts: list[str]) -> None:
        """Make the posted messages show ``parts``: edit the changed ones, send the new ones."""
        async with self._lock:
            for index, part in enumerate(parts):
                if index < len(self._shown):
                    if self._shown[index] != part:
                        await self.messages[index].edit(content=part)
                        self._shown[index] = part
                    continue
                message = await self._send(part, first=index == 0)
                self.messages.append(message)
                self._shown.append(part)
                if self.first_text_at is None:
                    self.first_text_at = time.perf_counter()
                if self._on_sent is not None:
                    self._on_sent(message)
                self._linked(message)
            for message in self.messages[len(parts) :]:  # the text now fits in fewer messages
                await message.delete()
            del self.messages[len(parts) :], self._shown[len(parts) :]

    def _linked(self, message: discord.Message) -> None:
        if self._link is not None and self._turn_id is not None:
            try:
                self._link(message.id, self._turn_id)
            except Exception as error:  # the answer stands; only a crash recovery would miss it
                log.warning("could not link message %s: %s", message.id, type(error).__name__)

    async def _send(self, content: str, *, first: bool) -> discord.Message:
        kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        if first and self.reference is not None:
            kwargs["reference"] = self.reference
            kwargs["mention_author"] = False
        return await self.channel.send(content, **kwargs)

    async def _type(self) -> None:
        try:
            while True:
                await _trigger_typing(self.channel)
                await asyncio.sleep(TYPING_REFRESH)
        except asyncio.CancelledError:
            raise
        except discord.HTTPException as error:
            log.debug("typing indicator failed: %s", error)

    def _stop_typing(self) -> None:
        if self._typing is not None:
            self._typing.cancel()
            self._typing = None


async def _trigger_typing(channel: discord.abc.Messageable) -> None:
    """One typing trigger (``await channel.typing()`` sends a single POST /typing)."""
    await channel.typing()
