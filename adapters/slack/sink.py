"""Streaming an answer into Slack: first text at once, then throttled edits, continued at Slack's limits.

Two ways to stream (config `slack.stream_mode`):
- "update": chat.postMessage for the first text, then chat.update at most once per `update_interval`
  per message. Long answers continue in further messages; code blocks are closed and reopened.
- "native" (the default): chat.startStream/appendStream/stopStream (Slack renders the Markdown itself). Any
  failure (no recipient, streaming unavailable, the stream expired, no Tier 2 budget left to start one) falls
  back to "update" on the same message.
Edits, appends and stream starts/stops share the workspace's budget (budget.py) with every other answer.
The first text is posted `first_text_delay` after the first token (an answer finished by then is posted
once, whole); the final edit adds the route footer and the 👍/👎 buttons. When the workspace's budget can't
serve another streaming answer's final edit soon (budget.may_stream), the answer is posted once, whole.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.approval_prompt import SlackPrompts
from adapters.slack.blocks import answer_blocks
from adapters.slack.budget import WorkspaceBudget
from adapters.slack.config import SlackConfig
from adapters.slack.limits import ChannelLimiter
from adapters.slack.mrkdwn import close_open_fence, split_text, to_mrkdwn
from bot.engine import TurnResult
from bot.session import SessionKey
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest

log = logging.getLogger("hybridbot.slack.sink")


@dataclass
class Answer:
    """What the adapter knows about one of its messages (for reactions, buttons and 🛑)."""

    key: SessionKey
    channel: str
    thread_ts: str | None
    turn_id: int | None = None
    streaming: bool = True
    question: bool = False  # the user's message (🛑 there stops its answer), not the bot's


class MessageIndex:
    """Message ts → the answer it belongs to; bounded, most recent kept."""

    def __init__(self, limit: int = 20_000) -> None:
        self._items: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self._limit = limit

    def put(self, channel: str, ts: str, answer: Answer) -> None:
        self._items[(channel, ts)] = answer
        self._items.move_to_end((channel, ts))
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def get(self, channel: str, ts: str) -> Answer | None:
        return self._items.get((channel, ts))


@dataclass
class _Posted:
    ts: str
    rendered: str = ""


@dataclass
class SlackSink:
    client: AsyncWebClient
    config: SlackConfig
    index: MessageIndex
    key: SessionKey
    channel: str
    thread_ts: str | None  # the thread to answer in; None posts at the channel's top level
    recipient_user: str = ""
    recipient_team: str = ""
    assistant_thread: bool = False  # Slack's assistant pane: set a status while thinking
    limiter: ChannelLimiter | None = None  # shared per-channel pacing of new messages
    link: Callable[[str, str, int], None] | None = None  # (channel, ts, turn id) → store: restarts, reactions
    budget: WorkspaceBudget | None = None  # the workspace's shared budget for edits and stream calls
    posted: list[_Posted] = field(default_factory=list)
    _turn_id: int | None = None
    _text: str = ""
    _dirty: asyncio.Event = field(default_factory=asyncio.Event)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _flusher: asyncio.Task[None] | None = None
    _next_flush: float = 0.0
    _counted: bool = False  # counted among the workspace's streaming answers
    _native_ts: str | None = None
    _native_sent: int = 0
    _native_failed: bool = False
    _whole: bool = False  # no budget to stream this answer: it is posted once, complete
    prompts: SlackPrompts | None = None  # approval prompts shown for this turn (approval_prompt.py)

    # --- ReplySink -------------------------------------------------------------

    async def on_turn(self, turn_id: int) -> None:
        self._turn_id = turn_id
        for posted in self.posted:
            self._link(posted.ts)

    async def on_status(self, text: str) -> None:
        if self.assistant_thread and self.thread_ts and not self.posted:
            await self._quiet(
                "assistant.threads.setStatus", channel_id=self.channel, thread_ts=self.thread_ts, status=text
            )

    async def on_text(self, delta: str) -> None:
        self._text += delta
        if self._whole:
            return
        if self._flusher is None and not self.posted and self._native_ts is None:
            if self.budget is not None and not self.budget.may_stream(self.recipient_team):
                self._whole = True  # its final edit would wait behind the workspace's budget: post it whole
                log.info("edit budget in %s is spoken for; this answer is posted when complete", self.recipient_team)
                return
            if self.config.first_text_delay <= 0:
                async with self._lock:
                    await self._flush()
                return
            # First text after a very short wait: an answer that is complete by then is posted once, whole.
            self._next_flush = time.monotonic() + self.config.first_text_delay
        self._dirty.set()
        if self._flusher is None:
            if self.budget is not None and not self._counted:
                self._counted = True
                self.budget.started(self.recipient_team)
            self._flusher = asyncio.create_task(self._flush_loop())

    async def on_approval(self, request: ApprovalRequest) -> str:  # Approve / Deny buttons in the thread
        if self.prompts is None:
            budget = functools.partial(self._may_call, "chat.update", final=True)  # as an answer's final edit
            self.prompts = SlackPrompts(self.client, self.channel, self.thread_ts, pace=self._paced, before_edit=budget)
        return await self.prompts.show(request)

    async def on_approval_closed(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        if self.prompts is not None:
            await self.prompts.close(request, decision)

    async def on_done(self, result: TurnResult) -> None:
        async with self._lock:
            if self._flusher is not None:
                self._flusher.cancel()
        try:
            await self._finish(result)
        finally:  # counted until its final call is through: may_stream counts the finals still waiting
            if self._counted and self.budget is not None:
                self._counted = False
                self.budget.finished(self.recipient_team)

    async def _finish(self, result: TurnResult) -> None:
        if result.status == "duplicate":
            return
        body = self._final_body(result)
        footer = result.route.footer if result.route else None
        turn_id = result.turn_id if result.route else None
        async with self._lock:
            native = self._native_ts is not None and not self._native_failed
            if native and await self._native_stop(body, footer, result.notices, turn_id):
                return
            await self._render(body, footer=footer, notices=result.notices, turn_id=turn_id, final=True)
        for posted in self.posted:
            self.index.put(self.channel, posted.ts, Answer(self.key, self.channel, self.thread_ts, turn_id, False))
        if self.assistant_thread and self.thread_ts:
            await self._quiet(
                "assistant.threads.setStatus", channel_id=self.channel, thread_ts=self.thread_ts, status=""
            )

    # --- internals ---------------------------------------------------------------

    def _link(self, ts: str) -> None:
        if self.link is not None and self._turn_id is not None:
            try:
                self.link(self.channel, ts, self._turn_id)
            except Exception as error:  # the answer stands; only a crash recovery would miss it
                log.warning("could not link message %s to turn %s: %s", ts, self._turn_id, type(error).__name__)

    def _final_body(self, result: TurnResult) -> str:
        text = result.text if result.status in ("done", "error", "cancelled") else ""
        text = text or self._text
        if result.status in ("rejected", "refused"):
            return result.error or result.text
        if result.error:
            return f"{text}\n\n{result.error}" if text else result.error
        return text or "_(no answer)_"

    async def _flush_loop(self) -> None:
        while True:
            await self._dirty.wait()
            wait = self._next_flush - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            async with self._lock:
                self._dirty.clear()
                await self._flush()

    def _interval(self) -> float:
        """This answer's time between edits: the configured pace, or slower when the workspace's budget is shared."""
        if self.budget is None:
            return self.config.update_interval
        native = self._native_ts is not None and not self._native_failed
        method = "chat.appendStream" if native else "chat.update"
        return max(self.config.update_interval, self.budget.interval(self.recipient_team, method))

    async def _flush(self) -> None:
        await self._flush_now()
        self._next_flush = time.monotonic() + self._interval()

    async def _flush_now(self) -> None:
        if self.config.stream_mode == "native" and not self._native_failed and await self._native_append():
            return
        await self._render(self._text, footer=None, notices=[], turn_id=None, final=False)

    def _pages(self, markdown: str) -> list[list[str]]:
        sections = split_text(close_open_fence(to_mrkdwn(markdown)), self.config.section_chars)
        size = self.config.sections_per_message
        return [sections[i : i + size] for i in range(0, len(sections), size)] or [[""]]

    async def _render(
        self, markdown: str, *, footer: str | None, notices: list[str], turn_id: int | None, final: bool
    ) -> None:
        pages = self._pages(markdown)
        for number, page in enumerate(pages):
            last = number == len(pages) - 1
            blocks = answer_blocks(
                page, footer=footer if last else None, notices=notices if last else None, turn_id=turn_id
            )
            fallback = "\n".join(page)[:3000] or " "
            rendered = repr(blocks)
            if number < len(self.posted):
                if self.posted[number].rendered == rendered:
                    continue
                if not await self._may_call("chat.update", final=final):
                    self._dirty.set()  # no budget for this edit now: the next one carries the text
                    continue
                if await self._call(
                    "chat.update", channel=self.channel, ts=self.posted[number].ts, text=fallback, blocks=blocks
                ):
                    self.posted[number].rendered = rendered
                continue
            response = await self._call(
                "chat.postMessage", channel=self.channel, thread_ts=self.thread_ts, text=fallback, blocks=blocks
            )
            if response is None:
                return  # could not post; the final render tries again
            ts = str(response.get("ts"))
            self.posted.append(_Posted(ts, rendered))
            self._link(ts)
            self.index.put(self.channel, ts, Answer(self.key, self.channel, self.thread_ts, turn_id, not final))

    async def _may_call(self, method: str, *, final: bool) -> bool:
        """In-between calls go only when the workspace budget allows; final calls wait their turn."""
        if self.budget is None:
            return True
        if final:
            await self.budget.take(self.recipient_team, method)
            return True
        return self.budget.try_take(self.recipient_team, method)

    async def _call(self, method: str, **kwargs: Any) -> Any:
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        try:
            if method == "chat.postMessage":  # Slack: about one new message per second per channel
                return await self._paced(lambda: self.client.api_call(method, json=kwargs))
            return await self.client.api_call(method, json=kwargs)
        except SlackApiError as error:
            log.warning("slack %s failed: %s", method, error.response.get("error"))
        except Exception as error:  # network trouble after retries: keep the turn alive
            log.warning("slack %s failed: %s", method, type(error).__name__)
        return None

    async def _paced(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """A new message: it holds a place in the channel's window until Slack answered (limits.py)."""
        if self.limiter is None:
            return await call()
        async with self.limiter.post(self.channel):
            return await call()

    async def _quiet(self, method: str, **kwargs: Any) -> None:
        try:
            await self.client.api_call(method, json=kwargs)
        except Exception as error:
            log.debug("slack %s failed: %s", method, error)

    # --- native streaming ------------------------------------------------------------

    async def _native_append(self) -> bool:
        limit = self.config.section_chars * self.config.sections_per_message
        if len(self._text) > limit:  # long answers continue in pages: end the stream, edit it from now on
            if self._native_ts is not None:
                await self._may_call("chat.stopStream", final=True)
                await self._quiet("chat.stopStream", channel=self.channel, ts=self._native_ts)
            self._fall_back()
            return False
        upto = len(self._text)  # text may grow while a call is in flight
        pending = self._text[self._native_sent : upto]
        if self._native_ts is None and not await self._may_call("chat.startStream", final=False):
            log.info("many native streams starting at once in %s; this answer uses chat.update", self.recipient_team)
            self._fall_back()
            return False
        if self._native_ts is not None and pending and not await self._may_call("chat.appendStream", final=False):
            self._dirty.set()  # no budget now: the next append carries this text too
            return True
        try:
            if self._native_ts is None:
                response = await self._paced(
                    lambda: self.client.chat_startStream(
                        channel=self.channel,
                        thread_ts=self.thread_ts,  # type: ignore[arg-type]  # None: omitted (a top-level answer)
                        markdown_text=pending,
                        recipient_user_id=self.recipient_user or None,
                        recipient_team_id=self.recipient_team or None,
                    )
                )
                self._native_ts = str(response["ts"])
                self._link(self._native_ts)
                self.index.put(self.channel, self._native_ts, Answer(self.key, self.channel, self.thread_ts))
            elif pending:
                await self.client.chat_appendStream(channel=self.channel, ts=self._native_ts, markdown_text=pending)
            self._native_sent = upto
            return True
        except Exception as error:
            log.info("native streaming unavailable (%s); using chat.update", _reason(error))
            self._fall_back()
            return False

    async def _native_stop(self, body: str, footer: str | None, notices: list[str], turn_id: int | None) -> bool:
        """End the native stream; True when it carried the whole final answer (else chat.update finishes it)."""
        assert self._native_ts is not None
        limit = self.config.section_chars * self.config.sections_per_message
        whole = body.startswith(self._text[: self._native_sent]) and len(body) <= limit
        rest = body[self._native_sent :] if whole else ""
        blocks = answer_blocks([], footer=footer, notices=notices, turn_id=turn_id) if whole else None
        await self._may_call("chat.stopStream", final=True)
        try:
            await self.client.chat_stopStream(
                channel=self.channel, ts=self._native_ts, markdown_text=rest or None, blocks=blocks
            )
        except Exception as error:
            log.info("chat.stopStream failed (%s); finishing with chat.update", _reason(error))
            whole = False
        if not whole:
            self._fall_back()
            return False
        self.index.put(self.channel, self._native_ts, Answer(self.key, self.channel, self.thread_ts, turn_id, False))
        return True

    def _fall_back(self) -> None:
        self._native_failed = True
        if self._native_ts is not None and not self.posted:
            self.posted.append(_Posted(self._native_ts))


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
