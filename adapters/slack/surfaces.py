"""Slack's agent surfaces: the app's Messages tab (greeting, suggested prompts) and the App Home tab.

Slack's agent messaging experience (manifest `agent_view`): a user opening the app's DM (Messages tab) sends
`app_home_opened` with `tab: "messages"` (it replaces `assistant_thread_started`); the bot greets once and sets
suggested prompts on the channel — without `thread_ts`, which agent apps must omit (Slack ignores the call
otherwise). Each top-level message there starts a thread the bot answers in (conversations.py), with a status
while the model thinks and the first question as the thread's title. These conversations are DMs: private, local
models only. Where the workspace has no agent surfaces these calls fail quietly and DMs work as usual.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.app import SlackBot
from adapters.slack.blocks import home_view
from adapters.slack.lookups import ExpiringCache
from bot.model_commands import LOCALITY_MARK
from bot.preferences import effective
from bot.session import SessionKey

log = logging.getLogger("hybridbot.slack.surfaces")

GREETING = "Hi! Ask me anything. This conversation is private: it stays on local models."
PROMPTS_TITLE = "Try asking"
GREETED_FOR = 7 * 86400.0  # seconds before a user opening the Messages tab is greeted again


def register(app: AsyncApp, bot: SlackBot) -> None:
    greeted: ExpiringCache[bool] = ExpiringCache(GREETED_FOR)

    async def on_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        user, channel = event.get("user"), event.get("channel")
        if not isinstance(user, str):
            return
        if event.get("tab") == "messages":
            if isinstance(channel, str) and channel not in greeted:
                greeted.put(channel, True)
                await greet(bot, channel)
            return
        if event.get("tab", "home") != "home":
            return
        team = str(body.get("team_id") or bot.team_id)
        view = await build_home(bot, team, str(channel or "home"), user)
        try:
            await bot.client.views_publish(user_id=user, view=view)
        except Exception as error:
            log.info("views.publish failed: %s", type(error).__name__)

    app.event("app_home_opened")(on_home)


async def greet(bot: SlackBot, channel: str) -> None:
    """The greeting, then the suggested prompts (they attach to the channel's latest message: the greeting)."""
    prompts = [{"title": p[:75], "message": p} for p in bot.config.suggested_prompts[:4]]
    try:
        await bot.client.chat_postMessage(channel=channel, text=GREETING)
        if prompts:
            await bot.client.api_call(
                "assistant.threads.setSuggestedPrompts",
                json={"channel_id": channel, "title": PROMPTS_TITLE, "prompts": prompts},
            )
    except Exception as error:
        log.info("agent greeting failed: %s", type(error).__name__)


async def build_home(bot: SlackBot, team: str, channel: str, user: str) -> dict[str, Any]:
    engine = bot.engine
    key = SessionKey("slack", team, channel, None)
    model = effective(engine.store, key, user, "model", engine.settings.routing.default_model)
    agent = effective(engine.store, key, user, "agent", engine.settings.bot.default_agent)
    defaults = [f"Model: *{model.value}* ({model.source})", f"Agent: *{agent.value}* ({agent.source})"]
    models = await engine.catalog.models()
    unhealthy = engine.catalog.unhealthy()
    model_lines = [
        f"{LOCALITY_MARK.get(m.locality, '')} {m.ref} — {'unavailable' if m.ref in unhealthy else 'ok'}" for m in models
    ]
    since = time.time() - 30 * 86400
    rows = engine.store.usage(workspace=team, since=since, user_id=user)
    usage = [
        f"{LOCALITY_MARK.get(r['locality'], '')} {r['provider']}:{r['model']} — {r['turns']} answer(s)" for r in rows
    ] or ["No answers for you in the last 30 days."]
    return home_view(name=engine.settings.bot.name, defaults=defaults, models=model_lines[:40], usage=usage[:20])
