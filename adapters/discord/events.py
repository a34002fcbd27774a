"""What is this Discord event, and where does its answer go? Pure rules over plain facts, no I/O.

client.py gathers the facts from discord.py's objects (and looks up what it must), then acts on the decision.
"""

from __future__ import annotations

from adapters.common.reactions import Action, action_of

SKIN_TONES = "".join(chr(c) for c in range(0x1F3FB, 0x1F400))


def reaction_action(emoji: str, user_id: int, bot_id: int | None) -> Action | None:
    """The action a reaction asks for; None for the bot's own reactions and for other emoji."""
    if bot_id is None or user_id == bot_id:
        return None
    return action_of("discord", emoji.strip(SKIN_TONES))
