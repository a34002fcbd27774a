"""The channels the bot is a member of, and whether each is private, in a few `users.conversations` calls.

A mention arrives only from a channel the bot is in, and `app_mention` events don't say whether the channel
is private, so without this each new channel costs a `conversations.info` round trip before its first
answer — and in a burst over many channels that method's Tier 3 limit (50 a minute) makes the rest fail
closed (local). One listing at start-up answers for up to a thousand channels a call.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import events
from adapters.slack.lookups import Pause, patiently

log = logging.getLogger("hybridbot.slack.directory")

TYPES = "public_channel,private_channel,mpim"  # DMs are known from their id and the event's channel type
PAGE = 1000  # the most Slack returns a call
MAX_PAGES = 20  # 20,000 channels; past that, conversations.info answers for the rest one by one


async def member_channels(client: AsyncWebClient, pause: Pause | None = None) -> dict[str, str]:
    """Channel id → events kind (public, private) for every conversation the bot is a member of."""
    kinds: dict[str, str] = {}
    cursor = ""
    for _ in range(MAX_PAGES):
        args: dict[str, Any] = {"types": TYPES, "exclude_archived": True, "limit": PAGE}
        if cursor:
            args["cursor"] = cursor
        page = await patiently(functools.partial(client.users_conversations, **args), pause=pause)
        for info in page.get("channels") or []:
            if isinstance(info, dict) and isinstance(info.get("id"), str):
                kinds[info["id"]] = events.kind_from_info(info)
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    return kinds
