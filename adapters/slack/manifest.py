"""The Slack app manifest (Socket Mode or HTTP), built from what the adapter handles. Pure.

`manifests/slack-app.yml` and `manifests/slack-app-http.yml` are this module's output; a test keeps them equal.
"""

from __future__ import annotations

from typing import Any

from bot.commands import COMMANDS, SLASH_COMMANDS

REQUEST_URL = "https://YOUR-PUBLIC-HOST/slack/events"
# Web API method → the bot scopes that allow it (any one of them), from Slack's method reference. Every method
# the adapter calls is listed (tests/unit/test_slack_scopes.py checks the code against this map).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.startStream": ("chat:write",),
    "chat.appendStream": ("chat:write",),
    "chat.stopStream": ("chat:write",),
    "assistant.threads.setStatus": ("chat:write", "assistant:write"),  # chat:write from 2026 on
    "assistant.threads.setTitle": ("assistant:write",),
    "assistant.threads.setSuggestedPrompts": ("assistant:write",),
    "users.info": ("users:read",),
    "files.info": ("files:read",),  # a shared file whose event carries no URL (file_access "check_file_info")
    "views.publish": (),
}
# Methods whose scope depends on the conversation: one scope per conversation type the bot asks about.
# (DMs are known to be private from their id, so im:read is not needed.)
CONVERSATION_SCOPES: dict[str, tuple[str, ...]] = {
    "conversations.info": ("channels:read", "groups:read", "mpim:read"),  # public, private, group DM
    "users.conversations": ("channels:read", "groups:read", "mpim:read"),  # the same, listed at start-up
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),  # /summarize
}
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "app_home_opened": (),
    "app_mention": ("app_mentions:read",),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
    "message.im": ("im:history",),
    "message.mpim": ("mpim:history",),
    "reaction_added": ("reactions:read",),
    "reaction_removed": ("reactions:read",),
}
# files:read: downloading files shared with a message (url_private with the bot token; adapters/slack/files.py)
FEATURE_SCOPES = {"slash commands": ("commands",), "files in messages": ("files:read",)}
BOT_EVENTS = tuple(EVENT_SCOPES)


def needed_scopes() -> tuple[str, ...]:
    """The least set of bot scopes the adapter needs: one per method (the first listed), every per-type
    conversation scope, every event's and every feature's."""
    wanted = {scopes[0] for scopes in METHOD_SCOPES.values() if scopes}
    for group in (*CONVERSATION_SCOPES.values(), *EVENT_SCOPES.values(), *FEATURE_SCOPES.values()):
        wanted.update(group)
    return tuple(sorted(wanted))


SCOPES = needed_scopes()
USAGE_HINTS = {
    "forget": "me",
    "model": "[auto|local|cloud|provider:model] [here|channel|me|workspace]",
    "agent": "[name|list|show name] [here|channel|me|workspace]",
    "privacy": "[local-only|standard|redact|cloud-ok]",
    "tasks": "[done|complete N]",
    "remember": "<a fact about you>",
    "memory": "[forget <n>|all] [channels on|off]",
    "summarize": "[thread|channel] [since 7d]",
    "kb": "[add <collection>]",
}


def manifest(http: bool) -> dict[str, Any]:
    commands = []
    for name in SLASH_COMMANDS:
        command: dict[str, Any] = {"command": f"/{name}", "description": COMMANDS[name][:100]}
        if http:
            command["url"] = REQUEST_URL
        if name in USAGE_HINTS:
            command["usage_hint"] = USAGE_HINTS[name]
        command["should_escape"] = False
        commands.append(command)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if http:
        events = {"request_url": REQUEST_URL, **events}
        interactivity["request_url"] = REQUEST_URL
    return {
        "display_information": {
            "name": "hybridbot",
            "description": "Answers with a local or a cloud model; privacy decides first.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "hybridbot", "always_online": True},
            "agent_view": {
                "agent_description": "Private by construction: conversations here stay on local models.",
            },
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": not http,
            "token_rotation_enabled": False,
        },
    }


def manifest_text(http: bool) -> str:
    mode = "HTTP (Events API at a public URL)" if http else "Socket Mode (no public URL needed)"
    header = f"# hybridbot Slack app manifest — {mode}. Generated by `hybridbot manifest slack{' --http' if http else ''}`.\n"
    return header + _yaml(manifest(http), 0)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml(value: Any, indent: int) -> str:
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{_yaml(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {'[]' if item == [] else _scalar(item)}\n")
    else:
        for item in value:
            if isinstance(item, dict):
                body = _yaml(item, indent + 1)
                lines.append(f"{pad}- {body.lstrip()}")
            else:
                lines.append(f"{pad}- {_scalar(item)}\n")
    return "".join(lines)
