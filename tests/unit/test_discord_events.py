"""Discord's event rules, as a table: is a message for the bot, where does its answer go, what a reaction asks."""

from __future__ import annotations

import pytest

from adapters.common.reactions import Action
from adapters.discord.events import (
    DM,
    IGNORE,
    IN_THREAD,
    INLINE,
    LOOK_UP,
    OPEN_THREAD,
    REPLY,
    Place,
    answerable,
    reaction_action,
    where_answer_goes,
)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (dict(from_self=False, from_bot=False, answered_type=True, respond_to_bots=False), True),
        (dict(from_self=True, from_bot=True, answered_type=True, respond_to_bots=True), False),  # its own
        (dict(from_self=False, from_bot=False, answered_type=False, respond_to_bots=False), False),  # pins, joins
        (dict(from_self=False, from_bot=True, answered_type=True, respond_to_bots=False), False),  # other bots
        (dict(from_self=False, from_bot=True, answered_type=True, respond_to_bots=True), True),
    ],
)
def test_which_messages_are_answerable(facts: dict[str, bool], expected: bool) -> None:
    assert answerable(**facts) is expected


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (Place(dm=True), DM),  # a DM is always for the bot, mentioned or not
        (Place(dm=True, uncached=True), DM),
        (Place(), IGNORE),  # channel chatter
        (Place(mentioned=True), OPEN_THREAD),  # default reply mode: a thread per question
        (Place(mentioned=True, reply_mode="inline"), INLINE),
        (Place(replied=True), REPLY),  # a reply to an answer continues that answer's conversation
        (Place(replied=True, mentioned=True, reply_mode="inline"), REPLY),
        (Place(thread=True), IGNORE),  # someone else's thread
        (Place(thread=True, our_thread=True), IN_THREAD),  # the bot's thread: no mention needed
        (Place(thread=True, mentioned=True), IN_THREAD),  # mentioned in another thread: answered there
        (Place(thread=True, replied=True), IN_THREAD),
        (Place(uncached=True), IGNORE),  # unknown channel, not addressed: no look-up
        (Place(uncached=True, mentioned=True), LOOK_UP),
        (Place(uncached=True, replied=True), LOOK_UP),
        (Place(uncached=True, our_thread=True), LOOK_UP),  # a thread the bot opened, not in the cache
    ],
)
def test_where_the_answer_goes(place: Place, expected: str) -> None:
    assert where_answer_goes(place) == expected


@pytest.mark.parametrize(
    ("emoji", "user", "expected"),
    [
        ("👍", 7, Action.GOOD),
        ("👍🏽", 7, Action.GOOD),  # skin tones do not matter
        ("👎", 7, Action.BAD),
        ("🔁", 7, Action.REGENERATE),
        ("🔄", 7, Action.REGENERATE),
        ("🛑", 7, Action.STOP),
        ("⏹️", 7, Action.STOP),
        ("🎉", 7, None),
        ("👍", 1, None),  # the bot's own reaction
    ],
)
def test_what_a_reaction_asks(emoji: str, user: int, expected: Action | None) -> None:
    assert reaction_action(emoji, user, bot_id=1) is expected
    assert reaction_action(emoji, user, bot_id=None) is None  # not logged in yet
