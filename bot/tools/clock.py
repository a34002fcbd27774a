"""The ``now`` tool: the current date and time in an IANA time zone (zoneinfo, tzdata as fallback).

The zone comes from the model's arguments, else the user's own zone when the platform gives one
(``CALL_CONTEXT.tz``: Slack's ``tz`` from users.info), else the configured default (``tools.timezone``).
The clock is injectable so tests can pin an instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.tools.base import CALL_CONTEXT, Tool

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def zone(name: str) -> ZoneInfo:
    """Raises ValueError naming the zone and the expected form."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Paris'") from None


def zone_for_call(default_zone: str) -> str:
    """The zone of the person a tool call serves (a valid ``CALL_CONTEXT.tz``), else `default_zone`."""
    context = CALL_CONTEXT.get()
    if context is not None and context.tz:
        try:
            zone(context.tz)
            return context.tz
        except ValueError:  # a zone name this machine's zone data doesn't know: the default then
            pass
    return default_zone


def describe_now(instant: dt.datetime, zone_name: str) -> str:
    local = instant.astimezone(zone(zone_name))
    offset = local.strftime("%z")
    return (
        f"{local:%A %d %B %Y, %H:%M:%S} {local.tzname()} (UTC{offset[:3]}:{offset[3:]}, {zone_name}); "
        f"ISO 8601: {local.isoformat(timespec='seconds')}"
    )


def make_now_tool(default_zone: str = "UTC", clock: Clock = utc_now) -> Tool:
    zone(default_zone)  # a bad default is a configuration error, found at start-up

    async def run(args: dict[str, Any]) -> str:
        return describe_now(clock(), args.get("time_zone") or zone_for_call(default_zone))

    return Tool(
        name="now",
        description="The current date and time. time_zone: an IANA name such as 'Europe/Paris' (default: the"
        f" user's own zone when known, else {default_zone}).",
        parameters={
            "type": "object",
            "properties": {"time_zone": {"type": "string", "maxLength": 64}},
            "additionalProperties": False,
        },
        run=run,
        timeout=1.0,
        output_cap=300,
    )
