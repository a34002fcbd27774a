"""Reactions and buttons on the bot's answers.

👍 (+1/thumbsup) and 👎 (-1/thumbsdown) are feedback on that answer's turn; removing the reaction removes
the feedback. 🔁 (repeat, arrows_counterclockwise) answers the question again in the same thread.
🛑 (octagonal_sign) or ✖ (x, heavy_multiplication_x) stops an answer that is still streaming (on the
answer or on the question). The 👍/👎 buttons under an answer do the same as the reactions.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.common.reactions import react
from adapters.slack.app import SlackBot
from adapters.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP
from adapters.slack.events import reaction_action

log = logging.getLogger("hybridbot.slack.reactions")


def register(app: AsyncApp, bot: SlackBot) -> None:
    async def on_added(event: dict[str, Any], body: dict[str, Any]) -> None:
        await handle_reaction(bot, event, body, added=True)

    async def on_removed(event: dict[str, Any], body: dict[str, Any]) -> None:
        await handle_reaction(bot, event, body, added=False)

    async def on_button(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        value = str(action.get("value") or "")
        user = str((body.get("user") or {}).get("id") or "")
        if not value.isdigit() or not user:
            return
        score = 1 if action.get("action_id") == FEEDBACK_UP else -1
        stored = bot.engine.feedback(int(value), user, score)
        note = ("Thanks — noted 👍" if score > 0 else "Thanks — noted 👎") if stored else "That answer is gone."
        try:
            await respond(text=note, response_type="ephemeral", replace_original=False)
        except Exception as error:
            log.info("feedback reply failed: %s", type(error).__name__)

    app.event("reaction_added")(on_added)
    app.event("reaction_removed")(on_removed)
    app.action(FEEDBACK_UP)(on_button)
    app.action(FEEDBACK_DOWN)(on_button)


async def handle_reaction(bot: SlackBot, event: dict[str, Any], body: dict[str, Any], *, added: bool) -> None:
    item = event.get("item")
    if not isinstance(item, dict):
        return
    action = reaction_action(event, bot.bot_user_id)
    channel, ts = item.get("channel"), item.get("ts")
    if action is None or not isinstance(channel, str) or not isinstance(ts, str):
        return
    # Memory first; the store's answer → turn links for the bot's messages (answers sent before a restart).
    answer = bot.index.find(channel, ts) if event.get("item_user") == bot.bot_user_id else bot.index.get(channel, ts)
    if answer is None:
        return
    user = str(event.get("user"))

    def sink() -> Any:
        return bot.sink(answer.key, answer.channel, answer.thread, user)

    await react(bot.engine, answer, action, user, added=added, sink=sink)
