"""Mentions, thread replies and DMs → engine turns.

- `app_mention` in a channel: answered in a thread under it; that thread is the session. In a channel
  listed in `slack.channel_mode_channels`, a top-level mention uses the channel session and is answered
  at the top level.
- `message` in a thread the bot is part of: answered without a mention (`slack.answer_thread_replies`).
- `message` in a DM (`message.im`, the app's Messages tab): private, local models only. As in Slack's agent
  messaging experience, a top-level message starts a thread (one conversation) answered in that thread.
- Ignored: the bot's own messages (Bolt), other bots (unless `slack.answer_other_bots`), edits
  (`message_changed`: the earlier answer stands), deletions (`message_deleted`: the stored turn stays
  until /reset) and join/leave/topic notices. Files and images shared with a message are read by the
  engine (adapters/slack/files.py).
- `@bot /reset` (or any command) in a thread runs the command for that thread; the answer is ephemeral.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.common.answers import Answer
from adapters.slack.app import MAX_THREADS, SlackBot
from adapters.slack.files import attachments_of
from adapters.slack.history import with_extras
from adapters.slack.mrkdwn import from_slack, mentioned_users, to_mrkdwn
from bot.attachments import Attachment
from bot.commands import COMMANDS, CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey

log = logging.getLogger("hybridbot.slack.conversations")

ANSWERED_SUBTYPES = {None, "file_share", "thread_broadcast"}
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def register(app: AsyncApp, bot: SlackBot) -> None:
    async def on_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        await handle_mention(bot, event, body)

    async def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        await handle_message(bot, event, body)

    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def clean_text(text: str, bot_user_id: str) -> str:
    """The question without the bot's mention(s); other people's mentions stay."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return text.strip()


def _team(bot: SlackBot, body: dict[str, Any]) -> str:
    return str(body.get("team_id") or bot.team_id or "")


def _from_other_bot(bot: SlackBot, event: dict[str, Any]) -> bool:
    if event.get("bot_id") or event.get("subtype") == "bot_message":
        if event.get("bot_id") == bot.bot_id or event.get("user") == bot.bot_user_id:
            return True  # our own (Bolt normally drops these already)
        return not bot.config.answer_other_bots
    return False


async def handle_mention(bot: SlackBot, event: dict[str, Any], body: dict[str, Any]) -> None:
    channel, ts = event.get("channel"), event.get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str) or _from_other_bot(bot, event):
        return
    thread = event.get("thread_ts")
    if thread:
        key_thread, reply_thread = str(thread), str(thread)
    elif channel in bot.config.channel_mode_channels:
        key_thread, reply_thread = None, None
    else:
        key_thread, reply_thread = ts, ts
    if reply_thread:
        bot.remember_thread(channel, reply_thread)
    private = await bot.is_private_channel(channel, event.get("channel_type"))
    await run_turn(bot, event, _team(bot, body), channel, key_thread, reply_thread, private=private)


async def handle_message(bot: SlackBot, event: dict[str, Any], body: dict[str, Any]) -> None:
    subtype = event.get("subtype")
    if subtype not in ANSWERED_SUBTYPES and not (subtype == "bot_message" and bot.config.answer_other_bots):
        return  # edits, deletions, joins… (see the module docstring)
    channel, ts = event.get("channel"), event.get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str) or _from_other_bot(bot, event):
        return
    bot.note_channel_type(channel, event.get("channel_type"))  # Slack's own word on the channel: cached
    thread = str(event["thread_ts"]) if event.get("thread_ts") else None
    team = _team(bot, body)
    if event.get("channel_type") == "im" or channel.startswith("D"):
        # Agent messaging: a top-level DM message starts a thread, answered in it with a status and a title.
        thread = thread or ts
        await run_turn(bot, event, team, channel, thread, thread, private=True, assistant=True)
        return
    text = str(event.get("text") or "")
    if bot.bot_user_id and f"<@{bot.bot_user_id}" in text:
        return  # the app_mention event answers it
    if not thread or thread == ts or not bot.config.answer_thread_replies:
        return
    if not await _bot_in_thread(bot, team, channel, thread):
        return
    private = await bot.is_private_channel(channel, event.get("channel_type"))
    await run_turn(bot, event, team, channel, thread, thread, private=private)


async def _bot_in_thread(bot: SlackBot, team: str, channel: str, thread: str) -> bool:
    """Known threads from memory, then from the store; only then ask Slack whether the bot posted there
    (conversations.replies is limited to 1 call a minute for apps outside the Marketplace)."""
    if (channel, thread) in bot.threads:
        return True
    if bot.engine.store.has_conversation(SessionKey("slack", team, channel, thread)):
        bot.remember_thread(channel, thread)
        return True
    if (channel, thread) in bot.other_threads:
        return False  # asked before; a later mention moves the thread into bot.threads
    pending = bot.thread_lookups.get((channel, thread))
    if pending is None:  # one question to Slack per thread, however many messages arrive meanwhile
        pending = asyncio.ensure_future(_ask_slack(bot, channel, thread))
        bot.thread_lookups[(channel, thread)] = pending
        pending.add_done_callback(lambda _: bot.thread_lookups.pop((channel, thread), None))
    return await asyncio.shield(pending)


async def _ask_slack(bot: SlackBot, channel: str, thread: str) -> bool:
    try:
        # 15: the most Slack returns per call to apps outside the Marketplace; the bot answers early in a thread.
        replies = await bot.client.conversations_replies(channel=channel, ts=thread, limit=15)
    except Exception as error:
        log.info("conversations.replies failed: %s", type(error).__name__)
        return False
    for message in replies.get("messages") or []:
        if message.get("user") == bot.bot_user_id or (bot.bot_id and message.get("bot_id") == bot.bot_id):
            bot.remember_thread(channel, thread)
            return True
    if len(bot.other_threads) > MAX_THREADS:
        bot.other_threads.clear()
    bot.other_threads.add((channel, thread))
    return False


async def run_turn(
    bot: SlackBot,
    event: dict[str, Any],
    team: str,
    channel: str,
    key_thread: str | None,
    reply_thread: str | None,
    *,
    private: bool,
    assistant: bool = False,
) -> None:
    user_id = str(event.get("user") or event.get("bot_id") or "")
    raw = clean_text(str(event.get("text") or ""), bot.bot_user_id)
    mentioned = sorted(set(mentioned_users(raw)))
    infos = await asyncio.gather(*(bot.known_user(u) for u in mentioned))
    names = {u: info.name for u, info in zip(mentioned, infos, strict=True)}
    text = from_slack(raw, names)
    key = SessionKey("slack", team, channel, key_thread)
    sink = bot.sink(key, channel, reply_thread, user_id, assistant=assistant)
    ts = str(event["ts"])
    bot.index.put(channel, ts, Answer(key, channel, reply_thread, question=True, private=private))
    files = attachments_of(bot, event)  # read by the engine once the turn is admitted (adapters/slack/files.py)
    if assistant and (channel, str(key_thread)) not in bot.assistant_threads and text:
        bot.assistant_threads.add((channel, str(key_thread)))
        await _quiet(bot, "assistant.threads.setTitle", channel_id=channel, thread_ts=key_thread, title=text[:60])
    info = await bot.known_user(user_id) if user_id else None
    name, tz = (info.name, info.tz) if info else ("someone", None)
    if text.startswith("/") and text[1:].split(" ", 1)[0].lower() in COMMANDS:
        await _thread_command(bot, key, user_id, name, text, reply_thread, private=private, tz=tz, files=files)
        return
    turn = Turn(key, user_id, name, text, private=private, event_id=f"{channel}:{ts}", tz=tz, attachments=files)
    result = await bot.engine.handle(turn, sink)
    log.info("slack turn %s in %s: %s", result.turn_id, key, result.status)


async def _thread_command(
    bot: SlackBot,
    key: SessionKey,
    user: str,
    name: str,
    text: str,
    thread: str | None,
    *,
    private: bool,
    tz: str | None,
    files: tuple[Attachment, ...] = (),
) -> None:
    """`@bot /reset` in a thread: slash commands carry no thread, so this is how a thread is addressed."""
    ctx = CommandContext(
        key, user, name, private=private, can_change_channel=await bot.can_change_channel(user, key.channel), tz=tz
    )
    command = text[1:].split(" ", 1)[0].lower()
    note = partial(_ephemeral, bot, key.channel, user, thread)
    ctx = await with_extras(
        bot, ctx, command, lambda line: note(to_mrkdwn(line)), thread_ts=key.thread, files=files, replaces=False
    )
    result = await run_command(bot.engine, ctx, text)
    await _ephemeral(bot, key.channel, user, thread, to_mrkdwn(result.text))
    if result.announce:
        await _post(bot, key.channel, None, f"📣 {to_mrkdwn(result.announce)}")


async def _post(bot: SlackBot, channel: str, thread: str | None, text: str) -> None:
    await _quiet(bot, "chat.postMessage", channel=channel, thread_ts=thread, text=text)


async def _ephemeral(bot: SlackBot, channel: str, user: str, thread: str | None, text: str) -> None:
    await _quiet(bot, "chat.postEphemeral", channel=channel, user=user, thread_ts=thread, text=text)


async def _quiet(bot: SlackBot, method: str, **kwargs: Any) -> None:
    try:
        await bot.client.api_call(method, json={k: v for k, v in kwargs.items() if v is not None})
    except Exception as error:
        log.info("slack %s failed: %s", method, type(error).__name__)
