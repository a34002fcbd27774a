"""Built-ins and whom they serve: `now` in the user's zone, the configured zone checked at start-up, and
fetch_url never offered in a private turn (it sends data out)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.tools.base import CALL_CONTEXT, CallContext
from bot.tools.builtins import builtin_tools
from bot.tools.clock import make_now_tool
from bot.tools.policy import SENDS_DATA_OUT, offer, resolve_call
from bot.tools.runner import run_tool

AT = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("tz", "args", "shown"),
    [
        ("America/Los_Angeles", {}, "05:00:00 PDT"),  # the user's zone from the platform
        (None, {}, "14:00:00 CEST"),  # no zone known: the configured default (Europe/Paris here)
        ("Not/AZone", {}, "14:00:00 CEST"),  # a zone this machine doesn't know: the default, no error
        ("America/Los_Angeles", {"time_zone": "Asia/Tokyo"}, "21:00:00 JST"),  # asked for another zone
    ],
)
async def test_now_uses_the_users_zone_then_the_default(tz, args, shown) -> None:
    tool = make_now_tool("Europe/Paris", clock=lambda: AT)
    token = CALL_CONTEXT.set(CallContext("slack", "T1", "C1", "U1", 1, private=False, tz=tz))
    try:
        result = await run_tool(tool, args)
    finally:
        CALL_CONTEXT.reset(token)
    assert shown in result.text, result.text


def test_an_unknown_configured_zone_fails_at_start_up_naming_the_key(tmp_path) -> None:
    config = tmp_path / "hybridbot.toml"
    config.write_text('[tools]\ntimezone = "Europe/Pariss"\n')
    with pytest.raises(ConfigError, match=r"'tools.timezone'.*unknown time zone 'Europe/Pariss'"):
        load_settings(config, env={})


def test_fetch_url_is_withheld_from_private_turns_and_a_call_is_refused() -> None:
    settings = Settings.model_validate({"tools": {"fetch_url": {"enabled": True}}})
    tools = builtin_tools(settings)
    private = offer(tools, private=True, agent_globs=["*"])
    assert "fetch_url" not in private.names and private.withheld["fetch_url"] == SENDS_DATA_OUT
    assert {"calculator", "now"} <= set(private.names)
    refused = resolve_call(private, "fetch_url")
    assert refused.is_error and refused.error_kind == "refused"
    assert "fetch_url" in offer(tools, private=False, agent_globs=["*"]).names
