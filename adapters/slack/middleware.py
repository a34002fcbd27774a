"""Bolt middleware run before any listener: refuse malformed events, drop other teams' requests and redeliveries.

Classes, not functions: for a function Bolt builds every keyword argument it could pass (ack, say, respond, a
client ...) on each request, about a third of the CPU before the acknowledgement.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.common.dedupe import RecentIds
from adapters.slack import events

if TYPE_CHECKING:
    from adapters.slack.app import SlackBot

log = logging.getLogger("hybridbot.slack")


class WellFormed(AsyncMiddleware):
    """A signed but malformed event (e.g. `"event": "notadict"`) is a 400, not a 500 from deep in Bolt.

    A middleware class, not a function: Bolt builds a function's arguments from the event before calling it.
    """

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # noqa: A002
    ) -> BoltResponse:
        problem = events.malformed(req.body) if isinstance(req.body, dict) else "not an object"
        if problem:
            log.warning("slack: malformed event refused (%s)", problem)
            return BoltResponse(status=400, body=f"malformed event: {problem}")
        return await next()


class OursOnce(AsyncMiddleware):
    """Drop requests from other teams and Slack's redeliveries (answered once).

    A middleware class, not a function: for a function Bolt builds every keyword argument it could pass (ack,
    say, respond, a client ...) on each request, about a third of the CPU before the acknowledgement.
    """

    def __init__(self, bot: SlackBot, seen: RecentIds) -> None:
        self.bot, self.seen = bot, seen

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # noqa: A002
    ) -> BoltResponse:
        body = req.body
        if not self.bot.team_allowed(body):
            log.warning("ignored a request from team %s (not this bot's workspace)", events.body_team(body))
            return BoltResponse(status=200, body="")
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not self.seen.first_sight(event_id):
            log.info("redelivered event %s ignored", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return resp
