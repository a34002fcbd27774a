"""What is this Slack request? Pure predicates over payloads: which team it is from, whether it is well formed,
whether its conversation is private. No I/O: app.py and conversations.py act on the answers.
"""

from __future__ import annotations

from typing import Any

from adapters.common.reactions import Action, action_of

# Conversation types Slack reports (`channel_type` on message events) that are private by nature.
PRIVATE_TYPES = frozenset({"im", "mpim", "group", "private_channel"})
DM_TYPES = frozenset({"im"})


def body_team(body: dict[str, Any]) -> str | None:
    """The workspace a request comes from: `team_id` (events, commands) or `team.id` (interactivity)."""
    team = body.get("team_id") or body.get("team")
    if isinstance(team, dict):
        team = team.get("id")
    return str(team) if isinstance(team, str) and team else None


def body_enterprise(body: dict[str, Any]) -> str | None:
    """The Enterprise Grid org of a request, when Slack names one."""
    enterprise = body.get("enterprise_id") or body.get("enterprise")
    if isinstance(enterprise, dict):
        enterprise = enterprise.get("id")
    return str(enterprise) if isinstance(enterprise, str) and enterprise else None


def team_allowed(team: str | None, enterprise: str | None, *, own_team: str, allowed: list[str]) -> bool:
    """Only the bot's own workspace, or teams / Enterprise Grid orgs the operator listed.

    Fails closed: no team in the request, or the bot's own team not known yet, is a no. Flags such as
    `is_enterprise_install` are claims inside the payload and prove nothing about where it came from.
    """
    if not team or not own_team:
        return False
    return team == own_team or team in allowed or (enterprise is not None and enterprise in allowed)


def malformed(body: dict[str, Any]) -> str:
    """'' for a payload the handlers can read; otherwise why not (answered with a 400, never a 500)."""
    if body.get("type") != "event_callback":
        return ""
    event = body.get("event")
    if not isinstance(event, dict):
        return "event is not an object"
    if not isinstance(event.get("type"), str):
        return "event has no type"
    return ""


# What a conversation is, as far as privacy goes (cached per channel by app.py).
PUBLIC, PRIVATE, DM = "public", "private", "dm"


def kind_by_type(channel: str, channel_type: str | None) -> str:
    """What the id or the event's `channel_type` says; '' when Slack has to be asked.

    Public only on evidence: `channel_type: "channel"` is what Slack sends with messages in public channels
    (private ones say "group", group DMs "mpim"). app_mention events carry no channel_type, so a `C…` id
    alone — which private channels have too — is never taken as public.
    """
    if is_dm(channel, channel_type):
        return DM
    if channel.startswith("G") or channel_type in PRIVATE_TYPES:
        return PRIVATE
    if channel_type == "channel" and channel.startswith("C"):
        return PUBLIC
    return ""


def is_dm(channel: str, channel_type: str | None) -> bool:
    return channel.startswith("D") or channel_type in DM_TYPES


def kind_from_info(info: dict[str, Any]) -> str:
    """conversations.info's answer: private channels, group DMs and DMs are private conversations."""
    if info.get("is_im"):
        return DM
    if any(bool(info.get(flag)) for flag in ("is_private", "is_mpim", "is_group")):
        return PRIVATE
    return PUBLIC


def reaction_action(event: dict[str, Any], bot_user_id: str) -> Action | None:
    """The action a reaction event asks for: None unless a person reacted on a message with one of ours."""
    item = event.get("item")
    user = event.get("user")
    if not isinstance(item, dict) or item.get("type") != "message" or not isinstance(user, str) or not user:
        return None
    if user == bot_user_id:
        return None
    reaction = str(event.get("reaction") or "").split("::", 1)[0]  # "+1::skin-tone-2" → "+1"
    return action_of("slack", reaction)
