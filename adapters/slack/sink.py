"""Streaming an answer into Slack: Slack's side of adapters/common/reply.py.

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.common.answers import AnswerIndex
from adapters.common.compose import FinalReply
from adapters.common.pages import close_open_fence, split_pages
from adapters.common.reply import Draft, Shown, StreamingReply, Surface, Where
from adapters.slack.approval_prompt import SlackPrompts
from adapters.slack.blocks import answer_blocks
from adapters.slack.budget import WorkspaceCallBudget
from adapters.slack.config import SlackConfig
from adapters.slack.limits import ChannelPostPacer
from adapters.slack.mrkdwn import to_mrkdwn
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest

log = logging.getLogger("hybridbot.slack.sink")


@dataclass
class Page:
    """One Slack message: Block Kit blocks and the plain-text fallback."""

    blocks: list[dict[str, Any]]
    fallback: str


@dataclass
class SlackSurface(Surface):
    client: AsyncWebClient
    config: SlackConfig
    channel: str
    thread_ts: str | None  # the thread to answer in; None posts at the channel's top level
    recipient_user: str = ""
    recipient_team: str = ""
    assistant_thread: bool = False  # Slack's assistant pane: set a status while thinking
    post_pacer: ChannelPostPacer | None = None  # shared per-channel pacing of new messages
    budget: WorkspaceCallBudget | None = None  # the workspace's shared budget for edits and stream calls
    _next_edit: float = 0.0
    _native_ts: str | None = None
    _native_sent: int = 0
    _native_over: bool = False  # fell back to chat.update

    # --- pages -----------------------------------------------------------------------------

    def pages(self, draft: Draft) -> list[Any]:
        final = draft.final
        markdown = final.body if final is not None else draft.text
        sections = split_pages(close_open_fence(to_mrkdwn(markdown)), self.config.section_chars) or [""]
        size = self.config.sections_per_message
        groups = [sections[i : i + size] for i in range(0, len(sections), size)]
        pages = []
        for number, group in enumerate(groups):
            last = final is not None and number == len(groups) - 1
            blocks = answer_blocks(
                group,
                footer=final.footer if last and final else None,
                notices=final.notices if last and final else None,
                turn_id=final.turn_id if final else None,
            )
            pages.append(Page(blocks, "\n".join(group)[:3000] or " "))
        return pages

    async def post(self, page: Any, *, first: bool, final: bool) -> str | None:
        response = await self._call(
            "chat.postMessage", thread_ts=self.thread_ts, text=page.fallback, blocks=page.blocks
        )
        return str(response.get("ts")) if response is not None else None

    async def edit(self, message: str, page: Any, *, final: bool) -> Shown:
        if not await self._may_call("chat.update", final=final):
            return Shown.LATER  # no budget for this edit now: the next one carries the text
        response = await self._call("chat.update", ts=message, text=page.fallback, blocks=page.blocks)
        return Shown.FAILED if response is None else Shown.YES

    async def delete(self, message: str) -> None:
        await self._call("chat.delete", ts=message)

    # --- pacing: the configured pace, slower when the workspace's budget is shared --------------

    def first_text_delay(self) -> float:
        return self.config.first_text_delay

    async def before_edit(self, *, first_text: bool) -> None:
        wait = self._next_edit - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def after_flush(self) -> None:
        self._next_edit = time.monotonic() + self._interval()

    def _interval(self) -> float:
        if self.budget is None:
            return self.config.update_interval
        native = self._native_ts is not None and not self._native_over
        method = "chat.appendStream" if native else "chat.update"
        return max(self.config.update_interval, self.budget.interval(self.recipient_team, method))

    def may_stream(self) -> bool:
        if self.budget is None:
            return True
        if not self.budget.may_stream(self.recipient_team):
            log.info("edit budget in %s is spoken for; this answer is posted when complete", self.recipient_team)
            return False
        self.budget.started(self.recipient_team)
        return True

    def stream_ended(self) -> None:  # counted until its final call is through: may_stream counts finals waiting
        if self.budget is not None:
            self.budget.finished(self.recipient_team)

    # --- the assistant pane's status ---------------------------------------------------------------

    async def status(self, text: str, *, shown: bool) -> bool:
        if self.assistant_thread and self.thread_ts and not shown:
            await self._quiet(
                "assistant.threads.setStatus", channel_id=self.channel, thread_ts=self.thread_ts, status=text
            )
        return False

    async def finished(self) -> None:
        if self.assistant_thread and self.thread_ts:
            await self._quiet(
                "assistant.threads.setStatus", channel_id=self.channel, thread_ts=self.thread_ts, status=""
            )

    # --- Web API calls ------------------------------------------------------------------------------

    async def _may_call(self, method: str, *, final: bool) -> bool:
        """In-between calls go only when the workspace budget allows; final calls wait their turn."""
        if self.budget is None:
            return True
        if final:
            await self.budget.take(self.recipient_team, method)
            return True
        return self.budget.try_take(self.recipient_team, method)

    async def _call(self, method: str, **kwargs: Any) -> Any:
        kwargs = {"channel": self.channel, **{k: v for k, v in kwargs.items() if v is not None}}
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
        if self.post_pacer is None:
            return await call()
        async with self.post_pacer.post(self.channel):
            return await call()

    async def _quiet(self, method: str, **kwargs: Any) -> None:
        try:
            await self.client.api_call(method, json=kwargs)
        except Exception as error:
            log.debug("slack %s failed: %s", method, error)

    # --- native streaming ------------------------------------------------------------------------------

    def _native_limit(self) -> int:
        return self.config.section_chars * self.config.sections_per_message

    async def stream(self, text: str) -> tuple[Shown, str | None]:
        outcome, started = await self._append(text)
        self._native_over = outcome is Shown.FAILED
        return outcome, started

    async def _append(self, text: str) -> tuple[Shown, str | None]:
        if len(text) > self._native_limit():  # long answers continue in pages: end the stream, edit it from now on
            if self._native_ts is not None:
                await self._may_call("chat.stopStream", final=True)
                await self._quiet("chat.stopStream", channel=self.channel, ts=self._native_ts)
            return Shown.FAILED, None
        upto = len(text)  # text may grow while a call is in flight
        pending = text[self._native_sent : upto]
        if self._native_ts is None and not await self._may_call("chat.startStream", final=False):
            log.info("many native streams starting at once in %s; this answer uses chat.update", self.recipient_team)
            return Shown.FAILED, None
        if self._native_ts is not None and pending and not await self._may_call("chat.appendStream", final=False):
            return Shown.LATER, None  # no budget now: the next append carries this text too
        started = None
        try:
            if self._native_ts is None:
                response = await self._paced(lambda: self._start_stream(pending))
                started = self._native_ts = str(response["ts"])
            elif pending:
                await self.client.chat_appendStream(channel=self.channel, ts=self._native_ts, markdown_text=pending)
            self._native_sent = upto
            return Shown.YES, started
        except Exception as error:
            log.info("native streaming unavailable (%s); using chat.update", _reason(error))
            return Shown.FAILED, None

    def _start_stream(self, markdown: str) -> Awaitable[Any]:
        return self.client.chat_startStream(
            channel=self.channel,
            thread_ts=self.thread_ts,  # type: ignore[arg-type]  # None: omitted (a top-level answer)
            markdown_text=markdown,
            recipient_user_id=self.recipient_user or None,
            recipient_team_id=self.recipient_team or None,
        )

    async def finish_stream(self, final: FinalReply, streamed: str) -> bool:
        """End the native stream; True when it carried the whole final answer (else chat.update finishes it)."""
        body = final.body
        whole = body.startswith(streamed[: self._native_sent]) and len(body) <= self._native_limit()
        rest = body[self._native_sent :] if whole else ""
        blocks = answer_blocks([], footer=final.footer, notices=final.notices, turn_id=final.turn_id) if whole else None
        await self._may_call("chat.stopStream", final=True)
        try:
            await self.client.chat_stopStream(
                channel=self.channel,
                ts=self._native_ts,  # type: ignore[arg-type]  # set: the reply streams natively
                markdown_text=rest or None,
                blocks=blocks,
            )
        except Exception as error:
            log.info("chat.stopStream failed (%s); finishing with chat.update", _reason(error))
            whole = False
        self._native_over = not whole
        return whole


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__


class SlackSink(StreamingReply):
    """A ReplySink writing one answer into a Slack channel or thread."""

    def __init__(self, surface: SlackSurface, where: Where, index: AnswerIndex, **kwargs: Any) -> None:
        self.slack = surface
        super().__init__(surface, where, index, native=surface.config.stream_mode == "native", **kwargs)
        self.prompts: SlackPrompts | None = None  # approval prompts shown for this turn (approval_prompt.py)

    async def on_approval(self, request: ApprovalRequest) -> str:  # Approve / Deny buttons in the thread
        if self.prompts is None:
            s = self.slack
            budget = functools.partial(s._may_call, "chat.update", final=True)  # as an answer's final edit
            self.prompts = SlackPrompts(s.client, s.channel, s.thread_ts, pace=s._paced, before_edit=budget)
        return await self.prompts.show(request)

    async def on_approval_closed(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        if self.prompts is not None:
            await self.prompts.close(request, decision)
