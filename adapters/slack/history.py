"""A channel's or thread's history for `/summarize`, read with `conversations.history` / `conversations.replies`.

Both page with `response_metadata.next_cursor`. Scopes: `channels:history`, `groups:history`, `im:history`,
`mpim:history` (by conversation type). Internal and Marketplace apps read at Tier 3 (about 50 calls a minute),
other distributed apps at 1 call and 15 messages a minute: a 429 is waited out as Slack's Retry-After says
(slack-sdk's own retries first, then here), up to `MAX_WAIT` seconds in all, saying so to the person.
A channel digest reads the channel's messages (thread roots); a thread digest the thread's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.app import SlackBot
from adapters.slack.lookups import retry_after
from adapters.slack.mrkdwn import from_slack, mentioned_users
from bot.attachments import Attachment
from bot.command_types import CommandContext
from bot.digest import HistoryError, HistoryMessage, Progress, Scope

log = logging.getLogger("hybridbot.slack.history")

PAGE = 200  # messages asked for per call (Slack answers fewer to apps held to 15)
MAX_WAIT = 120.0  # seconds of Retry-After waits one digest may spend
SKIPPED_SUBTYPES = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name"}
ERRORS = {
    "missing_scope": "I don't have permission to read this conversation's history ({needed}). An admin can add it "
    "by reinstalling the app from its manifest.",
    "not_in_channel": "I'm not a member of this channel, so I can't read it. Invite me first (`/invite @me`).",
    "channel_not_found": "I can't see this conversation. Invite me to it first.",
    "thread_not_found": "I can't find this thread any more (was it deleted?).",
}


class SlackHistory:
    def __init__(self, bot: SlackBot, channel: str, thread_ts: str | None, notify: Progress | None = None) -> None:
        self.bot, self.channel, self.thread_ts, self.notify = bot, channel, thread_ts, notify
        self.waited = 0.0

    async def pages(self, scope: Scope, oldest: float) -> AsyncIterator[list[HistoryMessage]]:
        method = "conversations.replies" if scope == "thread" else "conversations.history"
        args: dict[str, Any] = {"channel": self.channel, "oldest": f"{oldest:.6f}", "limit": PAGE}
        if scope == "thread":
            args["ts"] = self.thread_ts
        cursor = ""
        while True:
            data = await self._call(method, {**args, "cursor": cursor} if cursor else args)
            yield [m for raw in data.get("messages") or [] if (m := await self._message(raw)) is not None]
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return

    async def _call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        while True:
            try:
                response = await self.bot.client.api_call(method, http_verb="GET", params=args)
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as error:
                wait = retry_after(error)
                if wait is None:
                    raise _explained(error) from None
                if self.waited + wait > MAX_WAIT:
                    raise HistoryError(
                        f"Slack is limiting how fast I may read history (it asked me to wait {wait:.0f} s more); "
                        "try a shorter window, or again in a few minutes."
                    ) from None
                self.waited += wait
                log.info("%s rate limited; waiting %.1f s", method, wait)
                if self.notify is not None and wait >= 2:
                    await self.notify(f"⏳ Slack asks me to wait {wait:.0f} s before reading on…")
                await asyncio.sleep(wait)

    async def _message(self, raw: dict[str, Any]) -> HistoryMessage | None:
        if raw.get("subtype") in SKIPPED_SUBTYPES:
            return None
        user = str(raw.get("user") or "")
        from_bot = bool(raw.get("bot_id")) or (bool(user) and user == self.bot.bot_user_id)
        author = (await self.bot.known_user(user)).name if user else str(raw.get("username") or "a bot")
        text = str(raw.get("text") or "")
        names = {u: (await self.bot.known_user(u)).name for u in set(mentioned_users(text))}
        try:
            at = float(raw.get("ts") or 0)
        except ValueError:
            return None
        return HistoryMessage(author, from_slack(text, names), at, from_bot=from_bot)


def _explained(error: SlackApiError) -> HistoryError:
    data = getattr(error.response, "data", None)
    data = data if isinstance(data, dict) else {}
    code = str(data.get("error") or "")
    log.info("history read failed: %s", code or type(error).__name__)
    text = ERRORS.get(code)
    if text is None:
        return HistoryError(f"Slack refused to show me this history ({code or 'error'}); try again later.")
    return HistoryError(text.format(needed=data.get("needed") or "a history scope"))


class SlackProgress:
    """Progress lines of a long command, shown to the caller: each replaces the last (a slash command's
    response_url, which Slack lets an app use 5 times) or is a new ephemeral note (a command in a thread).
    At most `most` lines, `every` seconds apart, so the final answer always has a use left."""

    def __init__(self, send: Any, *, most: int = 3, every: float = 2.0) -> None:
        self.send, self.most, self.every = send, most, every
        self.sent, self.last = 0, -every

    async def __call__(self, text: str) -> None:
        now = asyncio.get_running_loop().time()
        if self.sent >= self.most or now - self.last < self.every:
            return
        self.sent, self.last = self.sent + 1, now
        try:
            await self.send(text)
        except Exception as error:  # progress is a courtesy: the answer still comes
            log.info("progress line not shown: %s", type(error).__name__)


async def with_extras(
    bot: SlackBot,
    ctx: CommandContext,
    name: str,
    send: Any,
    *,
    thread_ts: str | None,
    files: tuple[Attachment, ...] = (),
    replaces: bool = True,
) -> CommandContext:
    """What /summarize and /kb need beyond a plain command: the place's history and a progress line (`replaces`:
    each line replaces the last, else each is a new ephemeral note, so only one is sent); the files sent with
    the command and whether the caller is an admin."""
    from adapters.slack.approvals import is_admin

    if name == "summarize":
        progress = SlackProgress(send, most=3 if replaces else 1)
        history = SlackHistory(bot, ctx.key.channel, thread_ts, notify=progress)
        return replace(ctx, history=history, progress=progress)
    if name == "kb":
        return replace(ctx, attachments=tuple(files), is_admin=await is_admin(bot, ctx.user_id))
    return ctx
