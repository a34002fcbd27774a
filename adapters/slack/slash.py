"""Slash commands and their menus → bot.commands.run_command.

Every command is acked at once (Slack's 3 s), then run; the answer is ephemeral to the caller (through
the command's response_url). `/model`, `/agent` and `/privacy` without arguments offer their choices as a
menu; picking one runs the command with that value. Channel-wide changes are announced in the channel.
Slash commands carry no thread, so they act on the channel (DMs: the private DM session).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.app import SlackBot
from adapters.slack.blocks import SELECT_PREFIX, choice_menu, section
from adapters.slack.history import with_extras
from adapters.slack.manifest import SLASH_COMMANDS
from adapters.slack.mrkdwn import to_mrkdwn
from bot.commands import CommandContext, CommandResult, run_command
from bot.session import SessionKey

log = logging.getLogger("hybridbot.slack.slash")

MENU_COMMANDS = ("model", "agent", "privacy")


def register(app: AsyncApp, bot: SlackBot) -> None:
    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        name = str(command.get("command") or "").lstrip("/")
        text = str(command.get("text") or "").strip()
        ctx = await _context(bot, command.get("team_id"), command.get("channel_id"), command.get("user_id"))
        if ctx is None:
            return
        progress = partial(respond, response_type="ephemeral", replace_original=True)  # /summarize's progress
        ctx = await with_extras(bot, ctx, name, lambda line: progress(text=to_mrkdwn(line)), thread_ts=None)
        result = await run_command(bot.engine, ctx, f"{name} {text}")
        await _answer(bot, respond, ctx, name, result, menu=not text, replace=name == "summarize")

    async def on_select(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        name = str(action.get("action_id", ""))[len(SELECT_PREFIX) :]
        value = str((action.get("selected_option") or {}).get("value") or "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        team = (body.get("team") or {}).get("id") or body.get("team_id")
        ctx = await _context(bot, team, channel, (body.get("user") or {}).get("id"))
        if ctx is None or name not in MENU_COMMANDS or not value:
            return
        result = await run_command(bot.engine, ctx, f"{name} {value}")
        await _answer(bot, respond, ctx, name, result, menu=False, replace=True)

    for name in SLASH_COMMANDS:
        app.command(f"/{name}")(on_command)
    for name in MENU_COMMANDS:
        app.action(f"{SELECT_PREFIX}{name}")(on_select)


async def _context(bot: SlackBot, team: Any, channel: Any, user: Any) -> CommandContext | None:
    if not isinstance(channel, str) or not isinstance(user, str) or not channel or not user:
        log.warning("slack command without channel or user ignored")
        return None
    private = await bot.is_private_channel(channel)
    info = await bot.known_user(user)
    return CommandContext(
        key=SessionKey("slack", str(team or bot.team_id), channel, None),
        user_id=user,
        user_name=info.name,
        tz=info.tz,
        private=private,
        can_change_channel=await bot.can_change_channel(user, channel),
    )


async def _answer(
    bot: SlackBot,
    respond: Any,
    ctx: CommandContext,
    name: str,
    result: CommandResult,
    *,
    menu: bool,
    replace: bool = False,
) -> None:
    text = to_mrkdwn(result.text)  # command texts are Markdown
    if menu and result.choices and name in MENU_COMMANDS:
        blocks = choice_menu(name, text[:2900], result.choices)
    else:
        blocks = [section(text[:2900])]
    try:
        response = await respond(text=text[:3000], blocks=blocks, response_type="ephemeral", replace_original=replace)
        if getattr(response, "status_code", 200) >= 400:  # Bolt's respond() does not raise on HTTP errors
            raise RuntimeError(f"response_url answered {response.status_code}")
    except Exception as error:  # response_url expired or unreachable: fall back to chat.postEphemeral
        log.info("respond failed (%s); using chat.postEphemeral", type(error).__name__)
        try:
            await bot.client.chat_postEphemeral(
                channel=ctx.key.channel, user=ctx.user_id, text=text[:3000], blocks=blocks
            )
        except Exception as second:
            log.warning("could not answer /%s: %s", name, type(second).__name__)
    if result.announce:
        try:
            await bot.client.chat_postMessage(channel=ctx.key.channel, text=f"📣 {to_mrkdwn(result.announce)}")
        except Exception as error:
            log.info("announcement failed: %s", type(error).__name__)
