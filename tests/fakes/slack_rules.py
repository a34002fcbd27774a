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
    "files.info": TIER_4,
    "conversations.info": TIER_3,
    "users.conversations": TIER_3,
    "conversations.replies": TIER_1,
    "conversations.history": TIER_1,
    "views.publish": TIER_4,
    "assistant.threads.setSuggestedPrompts": TIER_4,
    "assistant.threads.setTitle": TIER_4,
}
REPLIES_LIMIT = 15  # the most conversations.replies returns at once outside the Marketplace
# Internal (customer-built) apps and Marketplace apps keep the older limits for conversations.history/replies:
# Tier 3 and up to 999 messages a call (FakeSlack.internal_app = True).
INTERNAL_HISTORY_TIER, INTERNAL_HISTORY_LIMIT = TIER_3, 999
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
    "files.info": ("files:read",),
    "reactions.add": ("reactions:write",),
}
BY_CONVERSATION = {  # method → scope for a public channel, a private channel, a DM, a group DM
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
}


def manifest_scopes() -> set[str]:
    """What installing the app from its manifest grants."""
    from adapters.slack.manifest import manifest

    return set(manifest(False)["oauth_config"]["scopes"]["bot"])


# Block Kit limits Slack enforces on chat.postMessage / chat.update (answered with `invalid_blocks`).
MAX_BLOCKS, MAX_SECTION_TEXT, MAX_CONTEXT_ELEMENTS, MAX_ACTION_ELEMENTS = 50, 3000, 10, 25
MAX_ID, MAX_BUTTON_TEXT, MAX_BUTTON_VALUE = 255, 75, 2000


def block_problem(blocks: list[dict]) -> str:
    """'' when Slack would accept these blocks; otherwise what is wrong (for the test that meets it)."""
    if len(blocks) > MAX_BLOCKS:
        return f"more than {MAX_BLOCKS} blocks"
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)) or any(len(i) > MAX_ID for i in block_ids):
        return "block_id repeated or too long"
    for block in blocks:
        kind = block.get("type")
        if kind == "section" and len((block.get("text") or {}).get("text", "")) > MAX_SECTION_TEXT:
            return "section text too long"
        if kind == "context" and not 0 < len(block.get("elements") or []) <= MAX_CONTEXT_ELEMENTS:
            return "context elements"
        if kind == "actions":
            elements = block.get("elements") or []
            action_ids = [e.get("action_id", "") for e in elements]
            if not 0 < len(elements) <= MAX_ACTION_ELEMENTS or len(action_ids) != len(set(action_ids)):
                return "actions elements"
            for e in elements:
                if e.get("type") != "button":
                    continue
                if len(e.get("action_id", "")) > MAX_ID or len(str(e.get("value", ""))) > MAX_BUTTON_VALUE:
                    return "button action_id or value too long"
                if len(e["text"]["text"]) > MAX_BUTTON_TEXT or e.get("style", "primary") not in ("primary", "danger"):
                    return "button text or style"
    return ""
