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

from adapters.slack.app import SlackBot
from adapters.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, turn_id_from_blocks
from adapters.slack.sink import Answer
from bot.session import SessionKey

log = logging.getLogger("hybridbot.slack.reactions")

EVENTS = ("reaction_added", "reaction_removed")
FEEDBACK = {"+1": 1, "thumbsup": 1, "-1": -1, "thumbsdown": -1}
REGENERATE = {"repeat", "arrows_counterclockwise"}
CANCEL = {"octagonal_sign", "x", "heavy_multiplication_x"}


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


def base_name(reaction: str) -> str:
    return reaction.split("::", 1)[0]  # "+1::skin-tone-2" → "+1"


async def handle_reaction(bot: SlackBot, event: dict[str, Any], body: dict[str, Any], *, added: bool) -> None:
    item = event.get("item")
    if not isinstance(item, dict):
        return
    reaction, user = base_name(str(event.get("reaction") or "")), str(event.get("user") or "")
    channel, ts = item.get("channel"), item.get("ts")
    if item.get("type") != "message" or not isinstance(channel, str) or not isinstance(ts, str) or not user:
        return
    if user == bot.bot_user_id or reaction not in FEEDBACK.keys() | REGENERATE | CANCEL:
        return
    team = str(body.get("team_id") or bot.team_id)
    answer = bot.index.get(channel, ts)
    if answer is None and event.get("item_user") == bot.bot_user_id:
        answer = await _lookup(bot, team, channel, ts)
    if answer is None:
        return
    if reaction in CANCEL:
        if added and bot.engine.cancel(answer.key):
            log.info("answer in %s stopped by a reaction", answer.key)
        return
    if answer.question:
        return  # feedback and 🔁 belong on the answer, not on the question
    if reaction in FEEDBACK:
        if answer.turn_id is not None:
            bot.engine.feedback(answer.turn_id, user, FEEDBACK[reaction] if added else 0)
        return
    if added and answer.turn_id is not None:
        await _regenerate(bot, answer, user)


async def _regenerate(bot: SlackBot, answer: Answer, user: str) -> None:
    sink = bot.sink(answer.key, answer.channel, answer.thread_ts, user)
    assert answer.turn_id is not None
    result = await bot.engine.regenerate(answer.key, answer.turn_id, sink, user_id=user)
    log.info("regenerated turn %s as %s: %s", answer.turn_id, result.turn_id, result.status)


async def _lookup(bot: SlackBot, team: str, channel: str, ts: str) -> Answer | None:
    """After a restart: the store's answer → turn link; for answers sent before links existed, the footer's block
    id (hb_turn_<id>) read back from Slack. conversations.replies lists a thread oldest first (the thread's first
    message before its replies), so the range starts at the answer; it is also rate limited hard for apps outside
    the Marketplace (1 a minute), hence the store first."""
    stored = bot.stored_answer(channel, ts)
    if stored is not None:
        bot.index.put(channel, ts, stored)
        return stored
    try:
        response = await bot.client.conversations_replies(channel=channel, ts=ts, oldest=ts, inclusive=True, limit=2)
    except Exception as error:
        log.info("conversations.replies failed: %s", type(error).__name__)
        return None
    for message in response.get("messages") or []:
        if message.get("ts") != ts:
            continue
        turn_id = turn_id_from_blocks(message.get("blocks"))
        if turn_id is None:  # no footer yet (cut off by a crash): the link stored when it was posted
            turn_id = bot.engine.store.turn_for_message("slack", channel, ts)
        if turn_id is None:
            return None
        thread = message.get("thread_ts")
        key = SessionKey("slack", team, channel, str(thread) if thread else None)
        answer = Answer(key, channel, str(thread) if thread else None, turn_id, streaming=False)
        bot.index.put(channel, ts, answer)
        return answer
    return None
