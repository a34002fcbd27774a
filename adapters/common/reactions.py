"""Reactions on answers: one table from each platform's reaction names to an action, and acting on it.

👍/👎 rate an answer (removing the reaction removes the rating), 🔁 answers the question again as a new turn,
🛑 stops an answer that is still streaming (on the answer or on the question). Feedback given while an answer
streams is kept on it and stored when the answer is complete.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

from adapters.common.answers import Answer
from bot.engine import Engine
from bot.turns import ReplySink

log = logging.getLogger("hybridbot.reactions")


class Action(enum.Enum):
    GOOD = 1
    BAD = -1
    REGENERATE = "regenerate"
    STOP = "stop"


# Per action, its names on each platform (Slack: reaction names without skin tone; Discord: the emoji).
REACTIONS: dict[Action, dict[str, tuple[str, ...]]] = {
    Action.GOOD: {"slack": ("+1", "thumbsup"), "discord": ("👍",)},
    Action.BAD: {"slack": ("-1", "thumbsdown"), "discord": ("👎",)},
    Action.REGENERATE: {"slack": ("repeat", "arrows_counterclockwise"), "discord": ("🔁", "🔄")},
    Action.STOP: {"slack": ("octagonal_sign", "x", "heavy_multiplication_x"), "discord": ("🛑", "⏹", "⏹️")},
}


def action_of(platform: str, reaction: str) -> Action | None:
    for action, names in REACTIONS.items():
        if reaction in names.get(platform, ()):
            return action
    return None


async def react(
    engine: Engine,
    answer: Answer,
    action: Action,
    user_id: str,
    *,
    added: bool,
    sink: Callable[[], ReplySink],
) -> None:
    """Do what a reaction added (or removed) on an answer asks; `sink` makes where a regenerated answer goes."""
    if action is Action.STOP:
        if added:
            stopped = engine.cancel(answer.key, None if answer.question else answer.turn_id)
            log.info("stop requested in %s: %s", answer.key, "stopped" if stopped else "nothing running")
        return
    if answer.question:
        return  # rating and 🔁 belong on the answer, not on the question
    if action is Action.REGENERATE:
        if added and answer.turn_id is not None and not answer.streaming:
            result = await engine.regenerate(answer.key, answer.turn_id, sink(), user_id=user_id)
            log.info("regenerated turn %s as %s: %s", answer.turn_id, result.turn_id, result.status)
        return
    value = int(action.value)
    if answer.streaming or answer.turn_id is None:  # stored with the turn once the answer is complete
        if added:
            answer.pending[user_id] = value
        elif answer.pending.get(user_id) == value:
            del answer.pending[user_id]
        return
    if added:
        engine.feedback(answer.turn_id, user_id, value)
        log.info("feedback %+d on turn %s", value, answer.turn_id)
    elif engine.store.feedback(answer.turn_id).get(user_id) == value:  # only the rating this reaction gave
        engine.feedback(answer.turn_id, user_id, 0)
        log.info("feedback removed on turn %s", answer.turn_id)
