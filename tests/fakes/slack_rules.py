"""What a real Slack workspace enforces that the protocol alone does not: per-method rate tiers and the scopes
each Web API method needs, as Slack's method reference documents them. Written down here, independently of the
adapter's own map (adapters/slack/manifest.py), so the stand-in catches a wrong or missing scope there.
"""

from __future__ import annotations

# Slack's documented rate tiers (calls a minute, per workspace and method; bursts up to a minute's worth).
# conversations.replies: 1 a minute for apps distributed outside the Marketplace (since 2025/2026).
TIER_1, TIER_2, TIER_3, TIER_4 = 1, 20, 50, 100
METHOD_TIERS = {
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "chat.startStream": TIER_2,
    "chat.appendStream": TIER_4,
    "chat.stopStream": TIER_2,
    "chat.postEphemeral": TIER_4,
    "users.info": TIER_4,
    "conversations.info": TIER_3,
    "users.conversations": TIER_3,
    "conversations.replies": TIER_1,
    "views.publish": TIER_4,
    "assistant.threads.setSuggestedPrompts": TIER_4,
    "assistant.threads.setTitle": TIER_4,
}
REPLIES_LIMIT = 15  # the most conversations.replies returns at once outside the Marketplace
# Bot scopes each method accepts (any one), from Slack's method reference; by conversation type where it varies.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.startStream": ("chat:write",),
    "chat.appendStream": ("chat:write",),
    "chat.stopStream": ("chat:write",),
    "assistant.threads.setStatus": ("chat:write", "assistant:write"),
    "assistant.threads.setTitle": ("assistant:write",),
    "assistant.threads.setSuggestedPrompts": ("assistant:write",),
    "users.info": ("users:read",),
    "users.conversations": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "reactions.add": ("reactions:write",),
}
BY_CONVERSATION = {  # method → scope for a public channel, a private channel, a DM, a group DM
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
}


def manifest_scopes() -> set[str]:
    """What installing the app from its manifest grants."""
    from adapters.slack.manifest import manifest

    return set(manifest(False)["oauth_config"]["scopes"]["bot"])
