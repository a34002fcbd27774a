"""What is this Discord event, and where does its answer go? Pure rules over plain facts, no I/O.

client.py gathers the facts from discord.py's objects (and looks up what it must), then acts on the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.common.reactions import Action, action_of

SKIN_TONES = "".join(chr(c) for c in range(0x1F3FB, 0x1F400))


def reaction_action(emoji: str, user_id: int, bot_id: int | None) -> Action | None:
    """The action a reaction asks for; None for the bot's own reactions and for other emoji."""
    if bot_id is None or user_id == bot_id:
        return None
    return action_of("discord", emoji.strip(SKIN_TONES))


def answerable(*, from_self: bool, from_bot: bool, answered_type: bool, respond_to_bots: bool) -> bool:
    """Is this message one the bot may answer at all? Not its own, not system messages, other bots if allowed."""
    if from_self or not answered_type:
        return False
    return respond_to_bots or not from_bot


@dataclass(frozen=True)
class Place:
    """What the client knows about where a message was written."""

    dm: bool = False
    mentioned: bool = False  # the bot is mentioned
    replied: bool = False  # a reply to one of the bot's messages
    uncached: bool = False  # the channel's kind is unknown until it is looked up
    thread: bool = False
    our_thread: bool = False  # a thread the bot owns or opened
    reply_mode: str = "thread"  # discord.reply_mode: "thread" or "inline"


# Where the answer goes.
IGNORE = "ignore"
LOOK_UP = "look-up"  # fetch the channel, then decide again with what it is
DM = "dm"  # the DM channel: a private conversation
IN_THREAD = "thread"  # the thread the message is in: its conversation
REPLY = "reply"  # under the message, in the conversation of the answer it replies to
OPEN_THREAD = "open-thread"  # a new thread on the message: a new conversation
INLINE = "inline"  # under the message, in the channel's conversation


def where_answer_goes(place: Place) -> str:
    if place.dm:
        return DM
    addressed = place.mentioned or place.replied
    if place.uncached:  # look it up only if it may be for us
        return LOOK_UP if addressed or place.our_thread else IGNORE
    if place.thread:
        return IN_THREAD if addressed or place.our_thread else IGNORE
    if not addressed:
        return IGNORE
    if place.replied:
        return REPLY
    return OPEN_THREAD if place.reply_mode == "thread" else INLINE
