"""One streaming reply, for every chat platform: the engine's ReplySink, driven through a small `Surface`.

The state machine:
- the first text is shown after the platform's first-text delay (an answer complete by then is posted once,
  whole); later text edits the shown messages, no faster than the platform's pacing allows;
- text longer than a page continues in further messages (pages split with code fences intact);
- a platform may stream natively instead (Slack's chat streams); when that fails, the message it started is
  edited from then on;
- statuses (queued, trying another model) are shown as a message only on platforms that want it, and only after
  a short delay, so quick turns never show one;
- the final text (answer, what went wrong, notices, route footer) replaces what streamed; a final edit that the
  platform refuses (a deleted message) is posted anew;
- every message posted for a turn is linked to it (memory and store), so reactions and crash recovery find it.

A platform supplies a `Surface` (pages, post, edit, delete, pacing) and may override its optional hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.common.answers import Answer, AnswerIndex
from adapters.common.compose import FinalReply, compose
from bot.session import SessionKey
from bot.turns import TurnResult

log = logging.getLogger("hybridbot.reply")


class Shown(enum.Enum):
    """What became of an edit or a native-stream append."""

    YES = "yes"
    LATER = "later"  # not now (no budget left): the next flush carries the text
    FAILED = "failed"  # left as it was


class SendFailed(Exception):
    """A post or edit the platform refused (e.g. the message was deleted)."""


@dataclass(frozen=True)
class Draft:
    """What to show: the text so far (or a status before any text), or the final reply."""

    text: str = ""
    status: str = ""
    final: FinalReply | None = None


@dataclass
class Where:
    """The conversation a reply belongs to and where its messages go."""

    key: SessionKey
    channel: str
    thread: str | None = None
    private: bool = False


class Surface:
    """A platform's part of a streaming reply. Pages may be any value that compares equal when unchanged."""

    def pages(self, draft: Draft) -> list[Any]:
        raise NotImplementedError

    async def post(self, page: Any, *, first: bool, final: bool) -> str | None:
        """Send a new message; its id, or None when it could not be sent (the final render tries again)."""
        raise NotImplementedError

    async def edit(self, message: str, page: Any, *, final: bool) -> Shown:
        raise NotImplementedError

    async def delete(self, message: str) -> None:
        raise NotImplementedError

    # --- pacing -------------------------------------------------------------------------

    def first_text_delay(self) -> float:
        """Seconds from the first token to the first text (0: at once)."""
        return 0.0

    async def before_edit(self, *, first_text: bool) -> None:
        """Wait for this reply's next edit slot."""

    def after_flush(self) -> None:
        """A streaming update went out."""

    async def before_final(self, *, shown: bool) -> None:
        """Wait for the final edit's slot (`shown`: messages exist to edit)."""

    # --- optional hooks -----------------------------------------------------------------

    def may_stream(self) -> bool:
        """False: the answer is posted once, whole, when complete (e.g. the platform's edit budget is spent)."""
        return True

    def stream_ended(self) -> None:
        """The reply is over (after `may_stream` said yes)."""

    async def status(self, text: str, *, shown: bool) -> bool:
        """A status from the engine (typing indicators, assistant statuses); True: show it as a message."""
        return False

    def text_started(self) -> None:
        """The first text arrived (typing indicators stop)."""

    async def finished(self) -> None:
        """After the final text is shown."""

    async def stream(self, text: str) -> tuple[Shown, str | None]:
        """Show ``text`` by a native stream; (FAILED, None) when there is none. The id is a stream just started."""
        return Shown.FAILED, None

    async def finish_stream(self, final: FinalReply, streamed: str) -> bool:
        """End the native stream; True when it carried the whole final reply."""
        return False


@dataclass
class _Message:
    ident: str
    page: Any = None  # None: shown by a native stream, replaced by the next edit


class StreamingReply:
    """The ReplySink of one answer on one platform."""

    def __init__(
        self,
        surface: Surface,
        where: Where,
        index: AnswerIndex,
        *,
        status_delay: float = 1.0,  # statuses the surface shows appear after this (quick turns show none)
        notes: list[str] | None = None,
        native: bool = False,
        feedback: Callable[[int, str, int], object] | None = None,
    ) -> None:
        self.surface, self.where, self.index = surface, where, index
        self.status_delay = status_delay
        self.notes = list(notes or [])
        self.feedback = feedback  # the engine's, for ratings given while the answer streamed
        self.shown: list[_Message] = []
        self._native = native
        self._streamed: str | None = None  # the natively streamed message
        self._parts: list[str] = []  # the answer so far, joined when read (per flush, not per delta)
        self._status = ""
        self._text_shown = False
        self._text_started = False
        self._turn_id: int | None = None
        self._whole = False
        self._streaming = False  # may_stream said yes: stream_ended is due
        self._dirty = asyncio.Event()
        self._lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self._waiting = False  # the flusher waits for its slot (nothing on the wire)

    # --- ReplySink ------------------------------------------------------------------------

    async def on_turn(self, turn_id: int) -> None:
        self._turn_id = turn_id
        for message in self._messages():
            self._register(message)

    async def on_status(self, text: str) -> None:
        show = await self.surface.status(text, shown=bool(self.shown) or self._streamed is not None)
        if not show or self._text:
            return
        self._status = text
        self._dirty.set()
        self._start()

    @property
    def _text(self) -> str:
        parts = self._parts
        if len(parts) > 1:
            parts[:] = ["".join(parts)]
        return parts[0] if parts else ""

    async def on_text(self, delta: str) -> None:
        """Never waits for the platform: the flusher shows the latest text. O(delta): the text is joined per flush."""
        self._parts.append(delta)
        if self._whole:
            return
        if not self._text_started:
            self._text_started = True
            self.surface.text_started()
            if not self.surface.may_stream():
                self._whole = True  # posted once, complete
                return
            self._streaming = True
            if self._flusher is not None and self._waiting:  # a status waiting for its slot: show the text instead
                self._flusher.cancel()
                self._flusher = None
        self._dirty.set()
        self._start()

    async def on_done(self, result: TurnResult) -> None:
        self.surface.text_started()  # whatever comes now, the wait is over (typing indicators stop)
        try:
            await self._stop_flusher()
            if result.status != "duplicate":
                await self._finish(result)
        finally:
            if self._streaming:
                self._streaming = False
                self.surface.stream_ended()

    # --- streaming ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_loop())

    async def _flush_loop(self) -> None:
        first_delay = self.surface.first_text_delay() if self._text else 0.0
        while True:
            await self._dirty.wait()
            first_text = bool(self._text) and not self._text_shown
            self._waiting = True
            try:
                if first_text and first_delay > 0:
                    await asyncio.sleep(first_delay)
                elif not self._text and not self.shown:  # only a status so far: quick turns never show one
                    await asyncio.sleep(self.status_delay)
                else:
                    await self.surface.before_edit(first_text=first_text)
            finally:
                self._waiting = False
            first_delay = 0.0
            async with self._lock:
                self._dirty.clear()
                try:
                    await self._show_streaming()
                except SendFailed as error:  # the final text tries again
                    log.warning("streaming update failed (%s); continuing", error)
            self.surface.after_flush()

    async def _show_streaming(self) -> None:
        if self._text:
            self._text_shown = True
        if self._native and self._text:
            outcome, started = await self.surface.stream(self._text)
            if started is not None:
                self._streamed = started
                self._register(started)
            if outcome is Shown.LATER:
                self._dirty.set()
            if outcome is not Shown.FAILED:
                return
            self._fall_back()
        await self._sync(self.surface.pages(Draft(self._text, self._status)), final=False)

    def _fall_back(self) -> None:
        """Native streaming is over for this reply: the streamed message is edited from now on."""
        self._native = False
        if self._streamed is not None and not self.shown:
            self.shown.append(_Message(self._streamed))

    async def _stop_flusher(self) -> None:
        flusher, self._flusher = self._flusher, None
        if flusher is None or flusher.done():
            return
        if self._waiting or not self._lock.locked():
            flusher.cancel()  # still waiting for its slot: the final text takes that slot instead
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            return
        async with self._lock:  # an update is on the wire: let it land, so no message is duplicated
            flusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flusher

    # --- the final text ----------------------------------------------------------------------------

    async def _finish(self, result: TurnResult) -> None:
        final = compose(result, self._text, self.notes)
        self._finish_answers(result)  # reactions on what is shown already find their turn from now on
        async with self._lock:
            native = self._native and self._streamed is not None
            if native and await self.surface.finish_stream(final, self._text):
                self._finish_answers(result)
                await self.surface.finished()
                return
            if native:
                self._fall_back()
            await self.surface.before_final(shown=bool(self.shown))
            pages = self.surface.pages(Draft(final=final))
            try:
                await self._sync(pages, final=True)
            except SendFailed as error:  # e.g. someone deleted the message being edited
                log.warning("final update failed (%s); posting the answer again", error)
                self.shown = []
                await self._sync(pages, final=True)
        self._finish_answers(result)
        await self.surface.finished()

    def _finish_answers(self, result: TurnResult) -> None:
        turn_id = result.turn_id if result.turn_id is not None else self._turn_id
        pending = self.index.finish(self.where.channel, self._messages(), turn_id)
        if result.turn_id is None:
            return
        for user, value in pending.items():
            if self.feedback is not None:
                self.feedback(result.turn_id, user, value)

    # --- messages ------------------------------------------------------------------------------------

    async def _sync(self, pages: list[Any], *, final: bool) -> None:
        """Make the shown messages show ``pages``: edit the changed ones, post new ones, delete the rest."""
        for number, page in enumerate(pages):
            if number < len(self.shown):
                message = self.shown[number]
                if message.page == page:
                    continue
                outcome = await self.surface.edit(message.ident, page, final=final)
                if outcome is Shown.YES:
                    message.page = page
                elif outcome is Shown.LATER:
                    self._dirty.set()
                continue
            ident = await self.surface.post(page, first=number == 0, final=final)
            if ident is None:
                return  # could not post; the final render tries again
            self.shown.append(_Message(ident, page))
            self._register(ident, streaming=not final)
        for message in self.shown[len(pages) :]:  # the text now fits in fewer messages
            await self.surface.delete(message.ident)
        del self.shown[len(pages) :]

    def _messages(self) -> list[str]:
        idents = [m.ident for m in self.shown]
        if self._streamed is not None and self._streamed not in idents:
            idents.append(self._streamed)
        return idents

    def _register(self, ident: str, *, streaming: bool = True) -> None:
        where = self.where
        known = self.index.get(where.channel, ident)
        if known is None:
            known = Answer(where.key, where.channel, where.thread, self._turn_id, streaming, where.private)
            self.index.put(where.channel, ident, known)
        elif self._turn_id is not None:
            known.turn_id = self._turn_id
        if self._turn_id is not None:
            self.index.link(where.channel, ident, self._turn_id)
