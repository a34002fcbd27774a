"""Approve / Deny clicks on approval prompts, and prompts a restart left behind.

A click is acked at once (Slack wants it within 3 s), then decided by the engine's `Approvals`: the
person who asked, or a workspace admin/owner or someone in `slack.admin_user_ids`, may decide.
Anyone else, and a click on a request that is no longer waiting (decided, expired, interrupted by a
restart), gets an ephemeral reply saying so and changes nothing. A decision edits the prompt to its
outcome (the sink does that, adapters/slack/approval_prompt.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.app import SlackBot
from adapters.slack.approval_prompt import APPROVE, DENY, closed_blocks, fallback, mention, parse_ref
from adapters.slack.blocks import context
from bot.tools.approval_texts import outcome_line
from bot.tools.approval_types import INTERRUPTED

log = logging.getLogger("hybridbot.slack.approvals")


def register(app: AsyncApp, bot: SlackBot) -> None:
    async def on_click(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        approval_id = str(action.get("value") or "")
        user = str((body.get("user") or {}).get("id") or "")
        if not approval_id or not user:
            return
        approve = action.get("action_id") == APPROVE
        request = bot.engine.approvals.request(approval_id)
        admin = request is not None and user != request.asker and await is_admin(bot, user)
        click = bot.engine.approvals.click(approval_id, user, approve, admin=admin, who=mention)
        log.info("approval %s: click %s (%s)", approval_id, click.outcome, "counted" if click.counted else "refused")
        if click.counted:
            return  # the prompt is edited to its outcome by the sink that showed it
        try:
            await respond(text=click.text, response_type="ephemeral", replace_original=False)
        except Exception as error:
            log.info("approval reply failed: %s", type(error).__name__)

    app.action(APPROVE)(on_click)
    app.action(DENY)(on_click)


async def is_admin(bot: SlackBot, user_id: str) -> bool:
    """A workspace admin or owner (users.info), or listed in `slack.admin_user_ids`."""
    return user_id in bot.config.admin_user_ids or (await bot.user(user_id)).is_admin


async def note_interrupted_approvals(bot: SlackBot) -> int:
    """After a restart: prompts of requests the last process was waiting on say they expired with the
    restart (their buttons removed); a request whose prompt was never posted gets a note in its thread."""
    line = outcome_line(INTERRUPTED, None)
    noted = 0
    for record in bot.engine.approvals.take_interrupted("slack"):
        where = parse_ref(record.prompt_ref)
        try:
            if where is not None:
                await bot.client.chat_update(
                    channel=where[0], ts=where[1], text=f"{fallback(record.request)} — expired",
                    blocks=closed_blocks(record.request, line),
                )  # fmt: skip
            else:
                await bot.client.chat_postMessage(
                    channel=record.key.channel, thread_ts=record.key.thread, text=line, blocks=[context([line])]
                )
            noted += 1
        except Exception as error:  # one prompt we can't edit must not stop the rest
            log.warning("could not mark approval %s as expired: %s", record.id, type(error).__name__)
    return noted
