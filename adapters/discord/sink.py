"""Streaming an engine answer into Discord messages: Discord's side of adapters/common/reply.py.

The first text is sent as soon as the model produces it; later text edits the message in place, at most
once per ``edit_interval`` per channel (Discord allows about 5 edits per 5 s per channel). Text past 2,000
characters continues in new messages. The typing indicator shows until the first text arrives; a status worth
reading (queued, trying another model) is shown as subtext until then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import discord

from adapters.common.answers import AnswerIndex
from adapters.common.reply import Draft, SendFailed, Shown, StreamingReply, Surface, Where
from adapters.discord.approvals import DiscordPrompts
from adapters.discord.pacing import first_text
from adapters.discord.render import final_text, split_message
from bot.session import SessionKey
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest

log = logging.getLogger("hybridbot.discord.sink")

TYPING_REFRESH = 8.0  # Discord shows typing for about 10 s per trigger
QUIET_STATUSES = {"thinking…"}  # shown as the typing indicator only


class ChannelEditPacer:
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


class DiscordSurface(Surface):
    """Messages in one Discord channel or thread, paced per channel."""

    def __init__(
        self,
        channel: discord.abc.Messageable,
        channel_id: int,
        pacer: ChannelEditPacer,
        *,
        reference: discord.Message | None,
        typing: bool,
    ) -> None:
        self.channel, self.channel_id, self.pacer = channel, channel_id, pacer
        self.reference, self.typing = reference, typing
        self.first_text_at: float | None = None  # perf_counter when the first message was visible
        self._messages: dict[str, discord.Message] = {}
        self._booked: float | None = None  # when an edit slot that was waited for comes (monotonic)
        self._typing: asyncio.Task[None] | None = None
        self._text_started = False

    def pages(self, draft: Draft) -> list[Any]:
        final = draft.final
        if final is not None:
            extra = [f"-# ℹ {notice}" for notice in final.notices]  # Discord reads the core's Markdown as it is
            return split_message(final_text(final.body, extra=extra, footer=final.footer))
        if draft.text:
            return split_message(draft.text)
        return [f"-# {draft.status}"] if draft.status else []

    async def post(self, page: Any, *, first: bool, final: bool) -> str | None:
        kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        if first and self.reference is not None:
            kwargs["reference"] = self.reference
            kwargs["mention_author"] = False
        try:
            message = await self.channel.send(page, **kwargs)
        except discord.HTTPException as error:
            raise SendFailed(f"send: {error.status}") from error
        if self.first_text_at is None:
            self.first_text_at = time.perf_counter()
        self._messages[str(message.id)] = message
        return str(message.id)

    async def edit(self, message: str, page: Any, *, final: bool) -> Shown:
        try:
            await self._messages[message].edit(content=page)
        except discord.HTTPException as error:  # e.g. someone deleted the message being edited
            raise SendFailed(f"edit: {error.status}") from error
        return Shown.YES

    async def delete(self, message: str) -> None:
        try:
            await self._messages.pop(message).delete()
        except discord.HTTPException as error:
            raise SendFailed(f"delete: {error.status}") from error

    # --- pacing: per channel; the first text goes at once ----------------------------------

    async def before_edit(self, *, first_text: bool) -> None:
        first_text_now(first_text)
        if first_text:
            self.pacer.restart(self.channel_id)  # it goes now; the next edit waits a full interval
            return
        delay = self.pacer.reserve(self.channel_id)
        self._booked = time.monotonic() + delay
        await asyncio.sleep(delay)
        self._booked = None  # (kept when cancelled while waiting: the final text takes that slot)

    async def before_final(self, *, shown: bool) -> None:
        booked, self._booked = self._booked, None
        if booked is not None:
            await asyncio.sleep(max(0.0, booked - time.monotonic()))
        elif shown:
            await self.pacer.wait(self.channel_id)

    # --- typing and statuses ---------------------------------------------------------------------

    async def status(self, text: str, *, shown: bool) -> bool:
        """Typing while waiting; a status worth reading (queued, trying another model) is shown until text comes."""
        if self.typing and self._typing is None and not self._text_started:
            self._typing = asyncio.create_task(self._type())
        return text not in QUIET_STATUSES

    def text_started(self) -> None:
        self._text_started = True
        if self._typing is not None:
            self._typing.cancel()
            self._typing = None

    async def _type(self) -> None:
        try:
            while True:
                await self.channel.typing()  # one POST /typing
                await asyncio.sleep(TYPING_REFRESH)
        except asyncio.CancelledError:
            raise
        except discord.HTTPException as error:
            log.debug("typing indicator failed: %s", error)


def first_text_now(value: bool) -> None:
    """Tell the REST pacing (pacing.py) whether this task's next request shows an answer's first text."""
    first_text.set(value)


class DiscordSink(StreamingReply):
    """A ReplySink writing into one Discord channel or thread."""

    def __init__(
        self,
        channel: discord.abc.Messageable,
        channel_id: int,
        pacer: ChannelEditPacer,
        *,
        key: SessionKey | None = None,
        index: AnswerIndex | None = None,
        private: bool = False,
        reference: discord.Message | None = None,
        typing: bool = True,
        status_delay: float = 1.0,
        notes: list[str] | None = None,
        feedback: Callable[[int, str, int], object] | None = None,
    ) -> None:
        self.channel_id = channel_id
        self.discord = DiscordSurface(channel, channel_id, pacer, reference=reference, typing=typing)
        self.channel = channel
        self.prompts: DiscordPrompts | None = None  # approval prompts shown for this turn (approvals.py)
        where = Where(key or SessionKey("discord", "", str(channel_id)), str(channel_id), None, private)
        super().__init__(
            self.discord,
            where,
            index if index is not None else AnswerIndex(None, "discord"),
            status_delay=status_delay,
            notes=notes,
            feedback=feedback,
        )

    async def on_approval(self, request: ApprovalRequest) -> str:  # Approve / Deny buttons (approvals.py)
        self.prompts = self.prompts or DiscordPrompts(self.channel)
        return await self.prompts.show(request)

    async def on_approval_closed(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        if self.prompts is not None:
            await self.prompts.close(request, decision)

    @property
    def first_text_at(self) -> float | None:
        return self.discord.first_text_at
