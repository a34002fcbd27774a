"""The bot's invite URL: OAuth2 scopes and the exact permission integer for what the adapter does. Pure.

Each permission is here because of a call the adapter makes (tests/unit/test_discord_invite.py checks the code):
- View Channel: see the channels, threads and private channels it is added to (nothing works without it);
- Send Messages / Send Messages in Threads: answers, inline or in the thread it opens;
- Create Public Threads: a mention opens a thread from the message (`discord.reply_mode = "thread"`);
- Read Message History: inline answers reply to the question, which needs the message history.
Not Add Reactions: the bot reads reactions (👍/👎/🔁/🛑) but never adds one.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

import discord

SCOPES = ("bot", "applications.commands")
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
)
PLACEHOLDER_ID = "YOUR_APPLICATION_ID"


def application_id_from_token(token: str) -> str | None:
    """A bot token's first part is its user id in base64, and a bot's user id is its application id."""
    head = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.isdigit() else None


def invite_url(application_id: str | None) -> str:
    query = {"client_id": application_id or PLACEHOLDER_ID, "scope": " ".join(SCOPES), "permissions": PERMISSIONS.value}
    return "https://discord.com/oauth2/authorize?" + urlencode(query)


def invite_text(token: str) -> str:
    """What `hybridbot manifest discord` prints after the commands: the invite URL and where its id came from."""
    app_id = application_id_from_token(token) if token else None
    where = (
        "application id read from DISCORD_TOKEN"
        if app_id
        else f"replace {PLACEHOLDER_ID} with Developer Portal → your application → General Information → Application ID"
    )
    return (
        f"Invite URL (permissions {PERMISSIONS.value}: View Channel, Send Messages, Send Messages in Threads, "
        f"Create Public Threads, Read Message History; {where}):\n{invite_url(app_id)}\n"
    )
